"""PyTorch reference for bench/finetune-head.ts: torchvision resnet18, backbone frozen the
tutorial way (requires_grad False, optimizer gets only fc), trained naively: the backbone
runs every epoch. Prints one line of JSON with per-epoch seconds."""
import json, sys, time, torch, torchvision
n, size, epochs, threads = (int(a) for a in sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=10)
for p in model.parameters():
    p.requires_grad = False
model.fc = torch.nn.Linear(512, 10)
model.eval()  # frozen BatchNorm uses its running statistics, as graft's frozen BatchNorm does
x = torch.randn(n, 3, size, size)
y = torch.randint(0, 10, (n,))
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], 1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
times = []
for _ in range(epochs):
    t = time.perf_counter()
    for i in range(0, n, 32):
        opt.zero_grad()
        loss_fn(model(x[i:i + 32]), y[i:i + 32]).backward()
        opt.step()
    times.append(time.perf_counter() - t)
print(json.dumps(times))
