"""PyTorch reference for bench/finetune-memory.ts: one epoch of fine-tuning torchvision's
resnet18 head (backbone frozen the tutorial way, eval-mode BatchNorm) on <n> images of
<size>x<size>, batch <batch>, at <threads> threads. Prints JSON: peak RSS in bytes (ru_maxrss)
before and after the epoch, and the epoch's seconds."""
import json, resource, sys, time, torch, torchvision
n, size, batch, threads = (int(a) for a in sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=10)
for p in model.parameters():
    p.requires_grad = False
model.fc = torch.nn.Linear(512, 10)
model.eval()
x = torch.randn(n, 3, size, size)
y = torch.randint(0, 10, (n,))
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], 1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t = time.perf_counter()
for i in range(0, n, batch):
    opt.zero_grad()
    loss_fn(model(x[i:i + batch]), y[i:i + batch]).backward()
    opt.step()
seconds = time.perf_counter() - t
print(json.dumps({"peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "before": before, "seconds": seconds}))
