using System.Globalization;
using System.Text;

namespace OffGrid.Speech.Synthesis.Piper;

/// <summary>
/// Turns a Piper voice as published (<c>voice.onnx</c> + <c>voice.onnx.json</c>) into what sherpa-onnx loads: the model
/// with sherpa's metadata (sample rate, speakers, espeak voice, <c>comment=piper</c>) and a <c>tokens.txt</c> from the
/// phoneme map, as sherpa-onnx's own conversion script does. Written once into a <c>sherpa-onnx</c> folder beside the voice.
/// </summary>
/// <remarks>
/// The metadata is appended to the model file as extra <c>ModelProto.metadata_props</c> entries: a protobuf message
/// followed by more of its fields is the same message with those fields added, and onnxruntime keeps the last value of
/// a repeated key, so the original bytes stay untouched and no ONNX library is needed.
/// </remarks>
internal static class SherpaVoiceFiles
{
    private const int MetadataPropsField = 14;

    /// <summary>Prepares (or finds prepared) files for a voice.</summary>
    /// <returns>The sherpa-ready model and tokens file.</returns>
    public static (string Model, string Tokens) Prepare(string onnxPath, PiperVoiceConfig config)
    {
        string folder = Path.Combine(Path.GetDirectoryName(onnxPath)!, "sherpa-onnx");
        string model = Path.Combine(folder, Path.GetFileName(onnxPath));
        string tokens = Path.Combine(folder, "tokens.txt");
        if (File.Exists(model) && File.Exists(tokens) && File.GetLastWriteTimeUtc(model) >= File.GetLastWriteTimeUtc(onnxPath))
        {
            return (model, tokens);
        }

        Directory.CreateDirectory(folder);
        WriteAtomically(tokens, Encoding.UTF8.GetBytes(string.Concat(config.Phonemes.Select(p => $"{p.Symbol} {p.Id.ToString(CultureInfo.InvariantCulture)}\n"))));
        byte[] metadata = Metadata(new Dictionary<string, string>
        {
            ["model_type"] = "vits",
            ["comment"] = "piper",
            ["language"] = config.LanguageName,
            ["voice"] = config.EspeakVoice,
            ["version"] = "1",
            ["has_espeak"] = "1",
            ["has_g2pw"] = "0",
            ["n_speakers"] = config.Speakers.ToString(CultureInfo.InvariantCulture),
            ["sample_rate"] = config.SampleRate.ToString(CultureInfo.InvariantCulture),
        });
        string staging = model + $".{Guid.NewGuid():N}.tmp";
        using (FileStream output = File.Create(staging))
        {
            using (FileStream input = File.OpenRead(onnxPath))
            {
                input.CopyTo(output);
            }

            output.Write(metadata);
        }

        File.Move(staging, model, overwrite: true);
        return (model, tokens);
    }

    /// <summary>Encodes <c>metadata_props</c> entries (<c>StringStringEntryProto { key = 1; value = 2; }</c>).</summary>
    internal static byte[] Metadata(IReadOnlyDictionary<string, string> entries)
    {
        var output = new MemoryStream();
        foreach ((string key, string value) in entries)
        {
            var entry = new MemoryStream();
            WriteBytesField(entry, 1, Encoding.UTF8.GetBytes(key));
            WriteBytesField(entry, 2, Encoding.UTF8.GetBytes(value));
            WriteBytesField(output, MetadataPropsField, entry.ToArray());
        }

        return output.ToArray();
    }

    private static void WriteBytesField(Stream output, int field, byte[] bytes)
    {
        WriteVarint(output, ((ulong)field << 3) | 2); // wire type 2: length-delimited
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string staging = path + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(staging, bytes);
        File.Move(staging, path, overwrite: true);
    }
}
