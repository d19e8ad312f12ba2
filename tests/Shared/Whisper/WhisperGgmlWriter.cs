using System.Buffers.Binary;
using System.Text;

namespace OffGrid.Testing.Whisper;

/// <summary>The shape of a generated Whisper model (whisper.cpp's hyper-parameters) and the seed of its random weights.</summary>
/// <param name="Vocab">n_vocab: 51865 is multilingual (99 languages), 51864 English-only, 51866 large-v3 (100 languages).</param>
/// <param name="State">n_audio_state = n_text_state.</param>
/// <param name="Heads">Attention heads in encoder and decoder.</param>
/// <param name="AudioLayers">Encoder blocks.</param>
/// <param name="TextLayers">Decoder blocks.</param>
/// <param name="Mels">Mel bands: 80, or 128 for large-v3.</param>
/// <param name="F16">Stores the big matrices as F16 (ftype 1) instead of F32 (ftype 0).</param>
/// <param name="Seed">Seed of the random weights.</param>
internal sealed record WhisperModelSpec(int Vocab = 51865, int State = 64, int Heads = 2, int AudioLayers = 1, int TextLayers = 1, int Mels = 80, bool F16 = true, int Seed = 1)
{
    /// <summary>Audio positions per 30 s window (3000 mel frames halved by the second convolution).</summary>
    public const int AudioContext = 1500;

    /// <summary>Decoder positions.</summary>
    public const int TextContext = 448;

    /// <summary>Tokens written to the file; whisper.cpp names the special tokens above them itself.</summary>
    public const int TextTokens = 50257;

    /// <summary>The smallest model whisper.cpp loads: one block each, 64 wide. About 7 MB.</summary>
    public static WhisperModelSpec Micro { get; } = new();

    /// <summary>Whisper tiny's shape (4+4 blocks, 384 wide, 6 heads) with random weights: real compute cost, junk text. About 75 MB.</summary>
    public static WhisperModelSpec TinyShaped { get; } = new(State: 384, Heads: 6, AudioLayers: 4, TextLayers: 4);
}

/// <summary>
/// Writes Whisper models in whisper.cpp's GGML file format (the format of <c>ggml-tiny.bin</c> and friends), with seeded
/// random weights: magic, hyper-parameters, a mel filter bank, the vocabulary, then every tensor whisper.cpp expects
/// (name, shape, type, data). The real runtime loads and runs them; the text they produce is junk.
/// </summary>
internal static class WhisperGgmlWriter
{
    private const uint Magic = 0x67676d6c; // "ggml"
    private const int FftBins = 201; // n_fft 400 / 2 + 1
    private const int SampleRate = 16000;

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    public static void Write(string path, WhisperModelSpec spec)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var w = new BinaryWriter(file, Encoding.UTF8);
        var random = new Random(spec.Seed);
        int s = spec.State;

        w.Write(Magic);
        foreach (int h in new[] { spec.Vocab, WhisperModelSpec.AudioContext, s, spec.Heads, spec.AudioLayers, WhisperModelSpec.TextContext, s, spec.Heads, spec.TextLayers, spec.Mels, spec.F16 ? 1 : 0 })
        {
            w.Write(h);
        }

        w.Write(spec.Mels);
        w.Write(FftBins);
        foreach (float f in MelFilterBank(spec.Mels))
        {
            w.Write(f);
        }

        w.Write(WhisperModelSpec.TextTokens);
        for (int i = 0; i < WhisperModelSpec.TextTokens; i++)
        {
            byte[] token = Encoding.ASCII.GetBytes(TokenText(i));
            w.Write(token.Length);
            w.Write(token);
        }

        void Tensor(string name, int[] dims, bool big, Func<float>? value = null)
        {
            bool f16 = big && spec.F16;
            int count = dims.Aggregate(1, (a, d) => a * d);
            byte[] name8 = Encoding.ASCII.GetBytes(name);
            w.Write(dims.Length);
            w.Write(name8.Length);
            w.Write(f16 ? 1 : 0);
            foreach (int d in dims)
            {
                w.Write(d);
            }

            w.Write(name8);
            byte[] data = new byte[count * (f16 ? 2 : 4)];
            for (int i = 0; i < count; i++)
            {
                float v = value?.Invoke() ?? (float)((random.NextDouble() - 0.5) * 0.2);
                if (f16)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(i * 2), (Half)v);
                }
                else
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), v);
                }
            }

            w.Write(data);
        }

        void Norm(string prefix)
        {
            Tensor(prefix + ".weight", [s], false, () => 1f);
            Tensor(prefix + ".bias", [s], false, () => 0f);
        }

        void Attention(string prefix, string attn, string ln)
        {
            Norm($"{prefix}.{ln}");
            Tensor($"{prefix}.{attn}.query.weight", [s, s], true);
            Tensor($"{prefix}.{attn}.query.bias", [s], false);
            Tensor($"{prefix}.{attn}.key.weight", [s, s], true);
            Tensor($"{prefix}.{attn}.value.weight", [s, s], true);
            Tensor($"{prefix}.{attn}.value.bias", [s], false);
            Tensor($"{prefix}.{attn}.out.weight", [s, s], true);
            Tensor($"{prefix}.{attn}.out.bias", [s], false);
        }

        void Mlp(string prefix)
        {
            Norm(prefix + ".mlp_ln");
            Tensor(prefix + ".mlp.0.weight", [s, 4 * s], true);
            Tensor(prefix + ".mlp.0.bias", [4 * s], false);
            Tensor(prefix + ".mlp.2.weight", [4 * s, s], true);
            Tensor(prefix + ".mlp.2.bias", [s], false);
        }

        Tensor("encoder.positional_embedding", [s, WhisperModelSpec.AudioContext], false);
        Tensor("encoder.conv1.weight", [3, spec.Mels, s], true);
        Tensor("encoder.conv1.bias", [1, s], false);
        Tensor("encoder.conv2.weight", [3, s, s], true);
        Tensor("encoder.conv2.bias", [1, s], false);
        Norm("encoder.ln_post");
        for (int i = 0; i < spec.AudioLayers; i++)
        {
            Mlp($"encoder.blocks.{i}");
            Attention($"encoder.blocks.{i}", "attn", "attn_ln");
        }

        Tensor("decoder.positional_embedding", [s, WhisperModelSpec.TextContext], false);
        Tensor("decoder.token_embedding.weight", [s, spec.Vocab], true);
        Norm("decoder.ln");
        for (int i = 0; i < spec.TextLayers; i++)
        {
            Mlp($"decoder.blocks.{i}");
            Attention($"decoder.blocks.{i}", "attn", "attn_ln");
            Attention($"decoder.blocks.{i}", "cross_attn", "cross_attn_ln");
        }
    }

    /// <summary>Returns a cached model file for <paramref name="spec"/>, writing it on first use.</summary>
    public static string GetOrCreate(WhisperModelSpec spec)
    {
        string path = Path.Combine(TestPaths.CacheDir, "whisper", $"ggml-random-{spec.Vocab}v-{spec.State}s-{spec.Heads}h-{spec.AudioLayers}x{spec.TextLayers}-{spec.Mels}m-{(spec.F16 ? "f16" : "f32")}-seed{spec.Seed}.bin");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string staging = path + $".{Guid.NewGuid():N}.tmp";
            Write(staging, spec);
            File.Move(staging, path, overwrite: true);
        }

        return path;
    }

    /// <summary>
    /// Readable ASCII tokens: punctuation and letters first, the lone space where GPT-2 has it (whisper.cpp suppresses
    /// it at the start of a segment, by text), then two-letter syllables with a leading space.
    /// </summary>
    private static string TokenText(int id) => id switch
    {
        < 94 => ((char)(33 + id)).ToString(),
        220 => " ",
        _ => " " + (char)('a' + (id % 26)) + (char)('a' + (id / 26 % 26)),
    };

    /// <summary>Triangular filters evenly spaced on the mel scale over 0–8 kHz, like Whisper's (HTK mel formula).</summary>
    private static float[] MelFilterBank(int mels)
    {
        static double ToMel(double hz) => 2595 * Math.Log10(1 + (hz / 700));
        static double ToHz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);
        double[] edges = Enumerable.Range(0, mels + 2).Select(i => ToHz(ToMel(SampleRate / 2.0) * i / (mels + 1))).ToArray();
        float[] bank = new float[mels * FftBins];
        for (int m = 0; m < mels; m++)
        {
            for (int k = 0; k < FftBins; k++)
            {
                double hz = (double)k * SampleRate / 400;
                double rise = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                double fall = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                bank[(m * FftBins) + k] = (float)Math.Max(0, Math.Min(rise, fall)) * (float)(2 / (edges[m + 2] - edges[m]));
            }
        }

        return bank;
    }
}
