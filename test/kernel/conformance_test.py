"""The official Jupyter kernel conformance suite (Debian's python3-jupyter-kernel-test) against the
installed kernelspec "graft", with every test enabled. Run by test/kernel/conformance.test.ts,
which installs the kernelspec into a temporary prefix and points JUPYTER_PATH at it."""
import unittest

import jupyter_kernel_test


class GraftKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "graft"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "%lsma", "matches": {"%lsmagic"}},
        {"text": "%%ti", "matches": {"%%time"}},
        {"text": "Math.ma", "matches": {"max"}},
    ]
    complete_code_samples = ["1", 'console.log("hi")', "function f(x: number) {\n  return x;\n}", "%time\n1 + 1"]
    incomplete_code_samples = ["function f(x: number) {", "const xs = [1,", "if (true) {\n  console.log(1);", "const s = `abc"]
    invalid_code_samples = ["}", "const = 1;", "let x = );"]

    code_page_something = "%help freeze"
    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"gr" + "aft"', "result": "'graft'"},
        {"code": "tf.tensor([1, 2, 3])", "mime": "text/html"},
        {"code": "({ toHTML: () => '<i>hi</i>' })", "mime": "text/html", "result": "<i>hi</i>"},
        {"code": "({ [Symbol.for('Jupyter.display')]: () => ({ 'text/markdown': '**md**' }) })", "mime": "text/markdown", "result": "**md**"},
    ]
    code_display_data = [
        {"code": 'display({ toHTML: () => "<b>bold</b>" })', "mime": "text/html"},
        {"code": "display(tf.zeros([2, 2]))", "mime": "text/plain"},
    ]

    code_history_pattern = "6*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
