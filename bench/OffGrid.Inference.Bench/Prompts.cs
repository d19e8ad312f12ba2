using OffGrid.Inference.Models;

namespace OffGrid.Inference.Bench;

/// <summary>Benchmark prompts; each seed gives a different one, so the engine never reuses a cached prefix beyond BOS.</summary>
internal static class Prompts
{
    private static readonly string[] s_words =
    [
        "once", "upon", "a", "time", "there", "was", "little", "girl", "named", "lily", "she", "loved", "to", "play", "with",
        "her", "dog", "in", "the", "park", "one", "day", "saw", "big", "red", "ball", "and", "wanted", "it", "happy", "mom", "said",
    ];

    /// <summary>Raw-prompt text of random words that tokenizes to at least <paramref name="minTokens"/> tokens (BOS included).</summary>
    public static string Text(LlamaModel model, int minTokens, int seed)
    {
        var random = new Random(seed);
        var words = new List<string>();
        string text = string.Empty;
        while (model.Tokenize(text).Length < minTokens)
        {
            // Words are added in groups so tokenizing stays cheap for long prompts.
            for (int i = 0; i < 8; i++)
            {
                words.Add(s_words[random.Next(s_words.Length)]);
            }

            text = string.Join(' ', words);
        }

        return text;
    }

    /// <summary>Exactly <paramref name="length"/> random tokens after BOS, none of them end-of-generation.</summary>
    public static int[] RandomTokens(LlamaModel model, int length, int seed)
    {
        var random = new Random(seed);
        int start = model.AddsBosToken && model.BosToken >= 0 ? 1 : 0;
        int[] tokens = new int[start + length];
        if (start == 1)
        {
            tokens[0] = model.BosToken;
        }

        for (int i = start; i < tokens.Length; i++)
        {
            int token;
            do
            {
                token = random.Next(model.VocabularySize);
            }
            while (model.IsEndOfGeneration(token));
            tokens[i] = token;
        }

        return tokens;
    }
}
