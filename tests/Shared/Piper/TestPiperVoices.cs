using System.Text.Json;

namespace OffGrid.Testing.Piper;

/// <summary>
/// Writes Piper voices as rhasspy/piper-voices publishes them (<c>voice.onnx</c> + <c>voice.onnx.json</c>) with a tiny
/// random-weight ONNX graph behind Piper's real interface: inputs <c>input</c> (int64 phoneme ids [1, N]),
/// <c>input_lengths</c> (int64 [1]) and <c>scales</c> (float [noise, length, noise_w]); output <c>output</c>
/// (float audio [1, 1, T]). Each phoneme becomes a burst of samples from its random embedding (Gather → Tanh →
/// Reshape), stretched by the length scale (Resize), so speech length follows the text and the speed — but it is noise,
/// not a voice: a real VITS network (duration predictor, flows, HiFi-GAN decoder) is far larger.
/// </summary>
internal static class TestPiperVoices
{
    /// <summary>Samples each phoneme id turns into at length scale 1.</summary>
    public const int SamplesPerPhoneme = 256;

    private const int Float = 1;
    private const int Int64 = 7;

    /// <summary>The phonemes of the generated voices: Piper's pad/start/end/space, punctuation, letters and the IPA symbols espeak-ng writes for English and German.</summary>
    public static IReadOnlyList<string> Phonemes { get; } =
    [
        "_", "^", "$", " ", "!", "'", "(", ")", ",", "-", ".", ":", ";", "?",
        .. Enumerable.Range('a', 26).Select(c => ((char)c).ToString()),
        "æ", "ç", "ð", "ø", "ŋ", "œ", "ɐ", "ɑ", "ɒ", "ɔ", "ə", "ɚ", "ɛ", "ɜ", "ɡ", "ɪ", "ɬ", "ɹ", "ɾ", "ʁ", "ʃ", "ʊ", "ʌ", "ʒ", "ʔ", "ʰ", "ʲ",
        "ˈ", "ˌ", "ː", "̃", "θ", "χ", "ᵻ",
    ];

    /// <summary>Writes <c>{name}.onnx</c> and <c>{name}.onnx.json</c> into <paramref name="directory"/>; returns the .onnx path.</summary>
    public static string Write(string directory, string name = "en_US-tiny-x_low", string espeakVoice = "en-us", int sampleRate = 16000, int seed = 1)
    {
        Directory.CreateDirectory(directory);
        string onnx = Path.Combine(directory, name + ".onnx");
        File.WriteAllBytes(onnx, Model(seed));
        string code = name.Split('-')[0];
        var config = new Dictionary<string, object>
        {
            ["audio"] = new Dictionary<string, object> { ["sample_rate"] = sampleRate, ["quality"] = "x_low" },
            ["espeak"] = new Dictionary<string, object> { ["voice"] = espeakVoice },
            ["language"] = new Dictionary<string, object> { ["code"] = code, ["family"] = code.Split('_')[0], ["name_english"] = "Test" },
            ["inference"] = new Dictionary<string, object> { ["noise_scale"] = 0.667, ["length_scale"] = 1, ["noise_w"] = 0.8 },
            ["phoneme_type"] = "espeak",
            ["num_symbols"] = Phonemes.Count,
            ["num_speakers"] = 1,
            ["speaker_id_map"] = new Dictionary<string, object>(),
            ["phoneme_id_map"] = Phonemes.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => (object)new[] { x.i }),
            ["dataset"] = name.Split('-').ElementAtOrDefault(1) ?? "tiny",
        };
        File.WriteAllText(onnx + ".json", JsonSerializer.Serialize(config));
        return onnx;
    }

    /// <summary>The ONNX model (IR 8, opset 13).</summary>
    public static byte[] Model(int seed = 1)
    {
        var random = new Random(seed);
        float[] embedding = Enumerable.Range(0, Phonemes.Count * SamplesPerPhoneme).Select(_ => (float)((random.NextDouble() - 0.5) * 1.5)).ToArray();
        var graph = new ProtobufWriter()
            .Message(1, Node("Gather", ["embedding", "input"], ["embedded"]))
            .Message(1, Node("Tanh", ["embedded"], ["wave"]))
            .Message(1, Node("Reshape", ["wave", "audio_shape"], ["flat"]))
            .Message(1, Node("Slice", ["scales", "one", "two", "zero"], ["length_scale"]))
            .Message(1, Node("Concat", ["unit_scales", "length_scale"], ["resize_scales"], new ProtobufWriter().String(1, "axis").Int(3, 0).Int(20, 2)))
            .Message(1, Node("Resize", ["flat", string.Empty, "resize_scales"], ["output"], new ProtobufWriter().String(1, "mode").Bytes(4, "nearest"u8.ToArray()).Int(20, 3)))
            .String(2, "tiny-piper")
            .Message(5, FloatTensor("embedding", [Phonemes.Count, SamplesPerPhoneme], embedding))
            .Message(5, Int64Tensor("audio_shape", [1, 1, -1]))
            .Message(5, Int64Tensor("zero", [0]))
            .Message(5, Int64Tensor("one", [1]))
            .Message(5, Int64Tensor("two", [2]))
            .Message(5, FloatTensor("unit_scales", [2], [1f, 1f]))
            .Message(11, Value("input", Int64, [1, null]))
            .Message(11, Value("input_lengths", Int64, [1]))
            .Message(11, Value("scales", Float, [3]))
            .Message(12, Value("output", Float, [1, 1, null]));
        return new ProtobufWriter()
            .Int(1, 8) // ir_version
            .String(2, "offgrid-tests")
            .Message(7, graph)
            .Message(8, new ProtobufWriter().String(1, string.Empty).Int(2, 13)) // opset_import
            .ToArray();
    }

    private static ProtobufWriter Node(string op, string[] inputs, string[] outputs, ProtobufWriter? attribute = null)
    {
        var node = new ProtobufWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, op + "_" + outputs[0]).String(4, op);
        return attribute is null ? node : node.Message(5, attribute);
    }

    private static ProtobufWriter FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new ProtobufWriter();
        foreach (long d in dims)
        {
            tensor.Int(1, d);
        }

        byte[] raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return tensor.Int(2, Float).String(8, name).Bytes(9, raw);
    }

    private static ProtobufWriter Int64Tensor(string name, long[] values)
    {
        byte[] raw = new byte[values.Length * 8];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        return new ProtobufWriter().Int(1, values.Length).Int(2, Int64).String(8, name).Bytes(9, raw);
    }

    /// <summary>A ValueInfoProto: a tensor of <paramref name="elementType"/>; a null dimension is symbolic.</summary>
    private static ProtobufWriter Value(string name, int elementType, long?[] dims)
    {
        var shape = new ProtobufWriter();
        int symbolic = 0;
        foreach (long? d in dims)
        {
            shape.Message(1, d is { } size ? new ProtobufWriter().Int(1, size) : new ProtobufWriter().String(2, $"{name}_dim{symbolic++}"));
        }

        var tensorType = new ProtobufWriter().Int(1, elementType).Message(2, shape);
        return new ProtobufWriter().String(1, name).Message(2, new ProtobufWriter().Message(1, tensorType));
    }
}
