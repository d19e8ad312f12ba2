using OffGrid.Testing.Gguf;

namespace OffGrid.Testing.Models;

/// <summary>
/// Large GGUF files for transfer tests and benchmarks: a valid header (llama architecture) and one F32 tensor of seeded
/// random bytes, so the model store accepts them; they are not meant to be run. Cached under <see cref="TestPaths.CacheDir"/>.
/// </summary>
internal static class TransferModels
{
    /// <summary>Returns the path of a model of about <paramref name="mebibytes"/> MiB, writing it on first use.</summary>
    public static string Get(int mebibytes)
    {
        string path = Path.Combine(TestPaths.CacheDir, "models", $"transfer-{mebibytes}m.gguf");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        byte[] data = new byte[mebibytes << 20];
        new Random(mebibytes).NextBytes(data);
        string temp = path + $".{Environment.ProcessId}.tmp";
        new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddString("general.name", $"offgrid-transfer-{mebibytes}m")
            .AddUInt32("llama.context_length", 128)
            .AddRawTensor("transfer.weight", [data.Length / 4], 0, data)
            .Write(temp);
        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }

        return path;
    }
}
