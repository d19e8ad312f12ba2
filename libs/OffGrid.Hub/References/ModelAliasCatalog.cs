using System.Text.Json;

namespace OffGrid.Hub.References;

/// <summary>
/// Resolves short model names: a built-in table of popular models plus the user's own aliases from a JSON file
/// (<c>{ "name": "owner/repo[:quant]" | "owner/repo/file.gguf" }</c>), which take precedence.
/// </summary>
/// <remarks>Immutable after construction and thread-safe.</remarks>
public sealed class ModelAliasCatalog
{
    private const int MaxDepth = 8;

    private readonly Dictionary<string, ModelAlias> _aliases = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a new instance with the built-in aliases and, when given, the user's alias file.</summary>
    /// <param name="userAliasFile">A JSON file mapping names to references; missing files are ignored.</param>
    /// <exception cref="FormatException">The user file is not a JSON object of strings, or holds an invalid reference.</exception>
    public ModelAliasCatalog(string? userAliasFile = null)
    {
        foreach (ModelAlias alias in BuiltIn)
        {
            _aliases[alias.Name] = alias;
        }

        if (userAliasFile is not null && File.Exists(userAliasFile))
        {
            Dictionary<string, string>? user;
            try
            {
                user = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(userAliasFile));
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{userAliasFile}: expected a JSON object mapping alias names to model references ({ex.Message}).", ex);
            }

            foreach ((string name, string target) in user ?? [])
            {
                _ = ModelReference.Parse(target); // fail at load time, naming the bad entry
                _aliases[name.ToLowerInvariant()] = new ModelAlias(name.ToLowerInvariant(), target, "user alias");
            }
        }
    }

    /// <summary>Gets the aliases shipped with OffGrid.</summary>
    public static IReadOnlyList<ModelAlias> BuiltIn { get; } =
    [
        new("llama3.2", "bartowski/Llama-3.2-3B-Instruct-GGUF", "Meta Llama 3.2 3B Instruct"),
        new("llama3.2-1b", "bartowski/Llama-3.2-1B-Instruct-GGUF", "Meta Llama 3.2 1B Instruct"),
        new("llama3.1", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "Meta Llama 3.1 8B Instruct"),
        new("qwen2.5", "bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen 2.5 7B Instruct"),
        new("qwen2.5-0.5b", "bartowski/Qwen2.5-0.5B-Instruct-GGUF", "Qwen 2.5 0.5B Instruct"),
        new("qwen3", "Qwen/Qwen3-8B-GGUF", "Qwen 3 8B"),
        new("mistral", "bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral 7B Instruct v0.3"),
        new("phi3.5", "bartowski/Phi-3.5-mini-instruct-GGUF", "Microsoft Phi-3.5 mini instruct"),
        new("gemma2", "bartowski/gemma-2-9b-it-GGUF", "Google Gemma 2 9B instruct"),
        new("smollm2", "bartowski/SmolLM2-1.7B-Instruct-GGUF", "SmolLM2 1.7B Instruct"),
        new("tinyllama", "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF", "TinyLlama 1.1B Chat v1.0"),
        new("stories260k", "ggml-org/models/tinyllamas/stories260K.gguf", "Karpathy's stories260K toy model (tests)"),
        .. WhisperAliases(),
        .. PiperAliases(),
    ];

    /// <summary>Whisper speech-to-text models in whisper.cpp's GGML format, full precision and quantized (<c>whisper-base-q5_1</c>).</summary>
    private static IEnumerable<ModelAlias> WhisperAliases()
    {
        (string Size, string Description, string[] Quants)[] sizes =
        [
            ("tiny", "OpenAI Whisper tiny (39M, multilingual)", ["q5_1", "q8_0"]),
            ("tiny.en", "OpenAI Whisper tiny, English only", ["q5_1", "q8_0"]),
            ("base", "OpenAI Whisper base (74M, multilingual)", ["q5_1", "q8_0"]),
            ("base.en", "OpenAI Whisper base, English only", ["q5_1", "q8_0"]),
            ("small", "OpenAI Whisper small (244M, multilingual)", ["q5_1", "q8_0"]),
            ("medium", "OpenAI Whisper medium (769M, multilingual)", ["q5_0", "q8_0"]),
            ("large-v3", "OpenAI Whisper large-v3 (1.55B, multilingual)", ["q5_0"]),
            ("large-v3-turbo", "OpenAI Whisper large-v3 turbo (809M, multilingual)", ["q5_0", "q8_0"]),
        ];
        foreach ((string size, string description, string[] quants) in sizes)
        {
            yield return new ModelAlias($"whisper-{size}", $"ggerganov/whisper.cpp/ggml-{size}.bin", description + ", whisper.cpp GGML");
            foreach (string quant in quants)
            {
                yield return new ModelAlias($"whisper-{size}-{quant}", $"ggerganov/whisper.cpp/ggml-{size}-{quant}.bin", $"{description}, {quant.ToUpperInvariant()}, whisper.cpp GGML");
            }
        }
    }

    /// <summary>Piper text-to-speech voices from rhasspy/piper-voices (the <c>.onnx.json</c> beside each comes along).</summary>
    private static IEnumerable<ModelAlias> PiperAliases()
    {
        (string Voice, string Description)[] voices =
        [
            ("en_US-lessac-medium", "English (US), Lessac"),
            ("en_US-amy-low", "English (US), Amy"),
            ("en_GB-alan-medium", "English (GB), Alan"),
            ("de_DE-thorsten-medium", "German, Thorsten"),
            ("fr_FR-siwis-medium", "French, SIWIS"),
            ("es_ES-davefx-medium", "Spanish, DaveFX"),
        ];
        foreach ((string voice, string description) in voices)
        {
            string[] parts = voice.Split('-'); // <lang>_<REGION>-<name>-<quality>
            yield return new ModelAlias($"piper-{voice}", $"rhasspy/piper-voices/{parts[0].Split('_')[0]}/{parts[0]}/{parts[1]}/{parts[2]}/{voice}.onnx", $"Piper voice: {description}");
        }
    }

    /// <summary>Gets every alias, user aliases included, by name.</summary>
    public IReadOnlyCollection<ModelAlias> Aliases => _aliases.Values;

    /// <summary>Resolves an alias reference to a repository or repository file; other references are returned unchanged.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>A reference whose kind is not <see cref="ModelReferenceKind.Alias"/>.</returns>
    /// <exception cref="KeyNotFoundException">The alias is unknown.</exception>
    public ModelReference Resolve(ModelReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ModelReference current = reference;
        for (int depth = 0; current.Kind == ModelReferenceKind.Alias; depth++)
        {
            if (depth == MaxDepth || !_aliases.TryGetValue(current.AliasName!, out ModelAlias? alias))
            {
                throw new KeyNotFoundException(depth == MaxDepth
                    ? $"The alias '{reference.AliasName}' refers to itself."
                    : $"Unknown model '{current.AliasName}'. Use owner/repo[:quant], a local .gguf path, or one of: {string.Join(", ", _aliases.Keys.Order(StringComparer.Ordinal))}.");
            }

            ModelReference target = ModelReference.Parse(alias.Target);
            current = target with { Quantization = current.Quantization ?? target.Quantization };
        }

        return current;
    }

    /// <summary>Parses and resolves a reference in one step.</summary>
    /// <param name="text">The text the user typed.</param>
    /// <returns>A resolved reference.</returns>
    public ModelReference Resolve(string text) => Resolve(ModelReference.Parse(text));
}
