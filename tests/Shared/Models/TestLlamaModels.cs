using System.Text;
using OffGrid.Testing.Gguf;

namespace OffGrid.Testing.Models;

/// <summary>
/// Generates small llama-architecture GGUF models with seeded random weights and a synthetic SentencePiece
/// vocabulary with byte fallback, cached under <see cref="TestPaths.CacheDir"/>. Their output is noise, but
/// deterministic noise: enough for plumbing, batching, grammar and throughput tests.
/// </summary>
internal static class TestLlamaModels
{
    private const int NormalTokenType = 1;

    private static readonly string[] s_words =
    [
        "the", "a", "and", "to", "of", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as", "I", "his", "they",
        "be", "at", "one", "have", "this", "from", "or", "had", "by", "hot", "word", "but", "what", "some", "we", "can", "out", "other",
        "were", "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which", "do", "their", "time", "if",
    ];

    /// <summary>The default tiny model (64-dim, 2 layers): fast enough for every plumbing test.</summary>
    public static string Tiny => GetOrCreate(new TestLlamaModelSpec());

    /// <summary>Returns the path of a model with <paramref name="spec"/>, generating it on first use.</summary>
    public static string GetOrCreate(TestLlamaModelSpec spec)
    {
        string path = Path.Combine(TestPaths.CacheDir, "models", $"llama-{spec.CacheKey}.gguf");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        Write(spec, temp);
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

    /// <summary>Writes a model with <paramref name="spec"/> to <paramref name="path"/>.</summary>
    public static void Write(TestLlamaModelSpec spec, string path) => CreateWriter(spec).Write(path);

    /// <summary>The writer holding a model with <paramref name="spec"/>, for tests that change it before writing (or write it split).</summary>
    public static GgufWriter CreateWriter(TestLlamaModelSpec spec)
    {
        (List<string> tokens, List<float> scores, List<int> types) = BuildVocabulary(spec);
        int eos = spec.EndOfTurnToken is { } end ? tokens.IndexOf(end) : 2;
        string arch = spec.Architecture;
        int headDim = spec.EmbeddingLength / spec.HeadCount;
        int kvDim = headDim * spec.HeadCountKv;
        var writer = new GgufWriter()
            .AddString("general.architecture", arch)
            .AddString("general.name", $"offgrid-test-{spec.CacheKey}")
            .AddUInt32("general.file_type", spec.WeightType switch { GgufTensorType.F16 => 1u, GgufTensorType.Q4_0 => 2u, GgufTensorType.Q8_0 => 7u, _ => 0u })
            .AddUInt32($"{arch}.context_length", (uint)spec.ContextLength)
            .AddUInt32($"{arch}.embedding_length", (uint)spec.EmbeddingLength)
            .AddUInt32($"{arch}.block_count", (uint)spec.BlockCount)
            .AddUInt32($"{arch}.feed_forward_length", (uint)spec.FeedForwardLength)
            .AddUInt32($"{arch}.attention.head_count", (uint)spec.HeadCount)
            .AddUInt32($"{arch}.attention.head_count_kv", (uint)spec.HeadCountKv)
            .AddUInt32($"{arch}.rope.dimension_count", (uint)headDim)
            .AddFloat32($"{arch}.attention.layer_norm_rms_epsilon", 1e-5f)
            .AddUInt32($"{arch}.vocab_size", (uint)tokens.Count)
            .AddString("tokenizer.ggml.model", "llama")
            .AddArray("tokenizer.ggml.tokens", GgufMetadataType.String, tokens)
            .AddArray("tokenizer.ggml.scores", GgufMetadataType.Float32, scores)
            .AddArray("tokenizer.ggml.token_type", GgufMetadataType.Int32, types)
            .AddUInt32("tokenizer.ggml.bos_token_id", 1)
            .AddUInt32("tokenizer.ggml.eos_token_id", (uint)eos)
            .AddUInt32("tokenizer.ggml.unknown_token_id", 0)
            .AddBool("tokenizer.ggml.add_bos_token", true)
            .AddBool("tokenizer.ggml.add_eos_token", false);
        if (spec.ChatTemplate is { } template)
        {
            writer.AddString("tokenizer.chat_template", template);
        }

        var random = new Random(spec.Seed);
        int vocab = tokens.Count;
        int embd = spec.EmbeddingLength;
        float[] embeddings = RandomWeights(random, embd * vocab, 0.5f);
        bool repeat = spec.RepeatCycleLength is not null;

        // A repeat model's layers write zeros into the residual stream; drawing them anyway keeps its other weights
        // those of the plain model with the same seed.
        float[] Residual(int count, float scale)
        {
            float[] weights = RandomWeights(random, count, scale);
            return repeat ? new float[count] : weights;
        }

        writer.AddTensor("token_embd.weight", [embd, vocab], embeddings, spec.WeightType);
        for (int layer = 0; layer < spec.BlockCount; layer++)
        {
            string b = $"blk.{layer}.";
            writer.AddTensor(b + "attn_norm.weight", [embd], Ones(embd));
            writer.AddTensor(b + "attn_q.weight", [embd, embd], RandomWeights(random, embd * embd, 0.1f), spec.WeightType);
            writer.AddTensor(b + "attn_k.weight", [embd, kvDim], RandomWeights(random, embd * kvDim, 0.1f), spec.WeightType);
            writer.AddTensor(b + "attn_v.weight", [embd, kvDim], RandomWeights(random, embd * kvDim, 0.1f), spec.WeightType);
            writer.AddTensor(b + "attn_output.weight", [embd, embd], Residual(embd * embd, 0.1f), spec.WeightType);
            writer.AddTensor(b + "ffn_norm.weight", [embd], Ones(embd));
            writer.AddTensor(b + "ffn_gate.weight", [embd, spec.FeedForwardLength], RandomWeights(random, embd * spec.FeedForwardLength, 0.1f), spec.WeightType);
            writer.AddTensor(b + "ffn_up.weight", [embd, spec.FeedForwardLength], RandomWeights(random, embd * spec.FeedForwardLength, 0.1f), spec.WeightType);
            writer.AddTensor(b + "ffn_down.weight", [spec.FeedForwardLength, embd], Residual(embd * spec.FeedForwardLength, 0.1f), spec.WeightType);
        }

        writer.AddTensor("output_norm.weight", [embd], Ones(embd));
        float[] output = RandomWeights(random, embd * vocab, 0.5f);
        if (repeat)
        {
            // Row next(t) of the output matrix is token t's embedding: its logit is |e_t|² against e_t·e_u for any other row.
            foreach (int[] cycle in RepeatCycles(spec))
            {
                for (int i = 0; i < cycle.Length; i++)
                {
                    Array.Copy(embeddings, (long)cycle[i] * embd, output, (long)cycle[(i + 1) % cycle.Length] * embd, embd);
                }
            }

            foreach (int token in Enumerable.Range(0, vocab).Where(t => types[t] != NormalTokenType))
            {
                Array.Copy(embeddings, (long)token * embd, output, (long)token * embd, embd);
            }
        }

        writer.AddTensor("output.weight", [embd, vocab], output, spec.WeightType);
        return writer;
    }

    /// <summary>
    /// The cycles a <see cref="TestLlamaModelSpec.RepeatCycleLength"/> model's greedy answer walks: after token
    /// <c>cycle[i]</c> comes <c>cycle[(i + 1) % cycle.Length]</c>. They cover every normal token once; the last may be shorter.
    /// </summary>
    public static IReadOnlyList<int[]> RepeatCycles(TestLlamaModelSpec spec)
    {
        int length = spec.RepeatCycleLength ?? throw new ArgumentException("The spec is not a repeat model.", nameof(spec));
        List<int> types = BuildVocabulary(spec).Types;
        int[] normal = [.. Enumerable.Range(0, types.Count).Where(t => types[t] == NormalTokenType)];
        new Random(spec.Seed).Shuffle(normal);
        return normal.Chunk(length).ToList();
    }

    private static (List<string> Tokens, List<float> Scores, List<int> Types) BuildVocabulary(TestLlamaModelSpec spec)
    {
        const int Normal = NormalTokenType, Unknown = 2, Control = 3, UserDefined = 4, Byte = 6;
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { Unknown, Control, Control };
        foreach (string special in spec.SpecialTokens)
        {
            tokens.Add(special);
            types.Add(Control);
        }

        foreach (string special in spec.UserDefinedTokens)
        {
            tokens.Add(special);
            types.Add(UserDefined);
        }

        // Unless asked for all of them, only ASCII bytes fall back to byte tokens: random weights would otherwise emit
        // byte sequences that are not UTF-8, which llama.cpp's grammar counts differently from a UTF-8 decoder. Other
        // characters then become <unk>.
        for (int b = 0; b < (spec.AllByteTokens ? 256 : 128); b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(Byte);
        }

        var pieces = new List<string> { "\u2581" };
        pieces.AddRange(s_words.Select(w => "\u2581" + w));
        for (char c = 'a'; c <= 'z'; c++)
        {
            pieces.Add(c.ToString());
            pieces.Add("\u2581" + c);
        }

        pieces.AddRange([".", ",", "!", "?", "\"", ":", "{", "}", "[", "]", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        // A piece a spec already lists as a special or user-defined token keeps that role (llama.cpp refuses duplicates).
        foreach (string piece in pieces.Distinct().Where(p => !tokens.Contains(p)))
        {
            if (tokens.Count >= spec.VocabularySize)
            {
                break;
            }

            tokens.Add(piece);
            types.Add(Normal);
        }

        // Fill the rest with letter pieces ("aa", "ab", …, "zz", "aaa", …) so the vocabulary has the requested size;
        // two letters alone give only 676, which a 32k vocabulary outgrows.
        var taken = new HashSet<string>(tokens, StringComparer.Ordinal);
        for (int i = 26; tokens.Count < spec.VocabularySize; i++)
        {
            string piece = LetterPiece(i);
            if (taken.Add(piece))
            {
                tokens.Add(piece);
                types.Add(Normal);
            }
        }

        // SentencePiece prefers higher scores; longer pieces score higher so that words win over letters.
        var scores = tokens.Select((t, i) => types[i] == Normal ? -1000f + (Encoding.UTF8.GetByteCount(t) * 10f) - (i * 0.001f) : 0f).ToList();
        return (tokens, scores, types);
    }

    // Bijective base 26: 0 → "a", 25 → "z", 26 → "aa", 701 → "zz", 702 → "aaa".
    private static string LetterPiece(int index)
    {
        var letters = new StringBuilder();
        for (int n = index + 1; n > 0; n = (n - 1) / 26)
        {
            letters.Insert(0, (char)('a' + ((n - 1) % 26)));
        }

        return letters.ToString();
    }

    private static float[] RandomWeights(Random random, int count, float scale)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    private static float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();
}
