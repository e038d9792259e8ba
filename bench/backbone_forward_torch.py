"""PyTorch reference for bench/backbone-forward.ts: torchvision's <arch> (random weights), eval,
no_grad, a batch of <batch> images 224x224, at <threads> threads; prints the best of <reps>
timed forwards (after one warm-up) in seconds."""
import sys, time, torch, torchvision
arch, batch, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = getattr(torchvision.models, arch)(weights=None).eval()
x = torch.randn(batch, 3, 224, 224)
with torch.no_grad():
    model(x)
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        model(x)
        best = min(best, time.perf_counter() - t)
print(f"{best:.4f}")
