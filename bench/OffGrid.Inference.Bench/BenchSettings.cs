using System.Globalization;
using OffGrid.Testing;

namespace OffGrid.Inference.Bench;

/// <summary>Command-line options of the harness.</summary>
internal sealed record BenchSettings
{
    public const string Usage = """
        dotnet run -c Release --project bench/OffGrid.Inference.Bench -- [options]
          --quick              short workloads, one iteration (a few minutes)
          --anchor             compare with llama.cpp's own llama-bench and llama-server (built from the same sources; see bench/llama-cpp)
          --server-only        with --anchor: only the llama-server rows (1/4/8 HTTP streams)
          --models LIST        synthetic400m,stories260k (default: both)
          --threads N          llama.cpp threads for every path (default: physical cores)
          --iterations N       measured runs per row (default: 3 for the 400M model, 20 for stories260K)
          --streams LIST       concurrent engine streams (default: 1,2,4,8)
          --plain-streams LIST sequences per batch of the plain C-API loop (default: 1,4,8)
          --max-load X         wait before each phase until the 1-minute load average is below X (default: 0.7)
          --load-wait S        wait at most S seconds for that (default: 600)
          --cache DIR          where the generated model is kept (default: <repo>/.cache/bench)
          --stories PATH       stories260K.gguf (default: ../shared/models/stories260K.gguf)
        """;

    public bool Quick { get; init; }

    public bool Anchor { get; init; }

    public bool ServerOnly { get; init; }

    public IReadOnlyList<string> Models { get; init; } = ["synthetic400m", "stories260k"];

    public int? Threads { get; init; }

    public int? Iterations { get; init; }

    public IReadOnlyList<int> Streams { get; init; } = [1, 2, 4, 8];

    public IReadOnlyList<int> PlainStreams { get; init; } = [1, 4, 8];

    public double MaxLoad { get; init; } = 0.7;

    public TimeSpan LoadWait { get; init; } = TimeSpan.FromSeconds(600);

    public string CacheDir { get; init; } = Path.Combine(TestPaths.RepoRoot, ".cache", "bench");

    public string StoriesPath { get; init; } = TestPaths.Stories260K;

    /// <summary>Parses the arguments; returns <see langword="null"/> after printing usage for <c>--help</c> or an unknown option.</summary>
    public static BenchSettings? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        var settings = new BenchSettings();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--quick" => settings with { Quick = true },
                "--anchor" => settings with { Anchor = true },
                "--server-only" => settings with { ServerOnly = true },
                "--models" => settings with { Models = Value().Split(',') },
                "--threads" => settings with { Threads = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--iterations" => settings with { Iterations = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--streams" => settings with { Streams = ParseList(Value()) },
                "--plain-streams" => settings with { PlainStreams = ParseList(Value()) },
                "--max-load" => settings with { MaxLoad = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--load-wait" => settings with { LoadWait = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--cache" => settings with { CacheDir = Value() },
                "--stories" => settings with { StoriesPath = Value() },
                _ => null,
            };
            if (settings is null)
            {
                error.WriteLine(Usage);
                return null;
            }
        }

        return settings;
    }

    private static int[] ParseList(string value) => value.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
