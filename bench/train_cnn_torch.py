"""PyTorch reference for bench/train-cnn.ts: the same CNN, data sizes, batch, epochs, Adam."""
import sys, time, torch
threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Conv2d(3, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
    torch.nn.Linear(64, 10))
x = torch.randn(64, 3, 64, 64)
y = torch.randint(0, 10, (64,))
opt = torch.optim.Adam(model.parameters(), 1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
def run(epochs):
    for _ in range(epochs):
        for i in range(0, 64, 32):
            opt.zero_grad()
            loss = loss_fn(model(x[i:i + 32]), y[i:i + 32])
            loss.backward()
            opt.step()
run(1)  # warm-up, as the tfjs side warms up
times = []
for _ in range(5):  # the median of 5, as the tfjs side takes
    t = time.perf_counter()
    run(2)
    times.append(time.perf_counter() - t)
print(f"{sorted(times)[2]:.4f}")
