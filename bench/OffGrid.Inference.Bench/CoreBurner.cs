using System.Diagnostics;

namespace OffGrid.Inference.Bench;

/// <summary>Another process keeping one core busy (a shell loop), for the contention rows; killed on dispose.</summary>
internal sealed class CoreBurner : IDisposable
{
    private readonly Process _process = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
