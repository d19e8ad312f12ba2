namespace OffGrid.Hub.References;

/// <summary>
/// What a user typed to name a model: <c>name[:quant]</c>, <c>owner/repo[@revision][:quant]</c>,
/// <c>owner/repo[@revision]/path/file.gguf</c> (also <c>.bin</c> for whisper.cpp GGML models and <c>.onnx</c> for Piper voices), or a local path (absolute, or starting with <c>./</c>, <c>../</c> or <c>~/</c>).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record ModelReference
{
    /// <summary>The revision used when none is given.</summary>
    public const string DefaultRevision = "main";

    /// <summary>Gets the form of the reference.</summary>
    public required ModelReferenceKind Kind { get; init; }

    /// <summary>Gets the alias name (<see cref="ModelReferenceKind.Alias"/> only), lower case.</summary>
    public string? AliasName { get; init; }

    /// <summary>Gets the repository id <c>owner/repo</c>.</summary>
    public string? Repository { get; init; }

    /// <summary>Gets the file path inside the repository (<see cref="ModelReferenceKind.RepositoryFile"/>).</summary>
    public string? FilePath { get; init; }

    /// <summary>Gets the requested quantization label, for example <c>Q4_K_M</c>.</summary>
    public string? Quantization { get; init; }

    /// <summary>Gets the repository revision (branch, tag or commit).</summary>
    public string Revision { get; init; } = DefaultRevision;

    /// <summary>Gets the absolute path of a local file (<see cref="ModelReferenceKind.LocalFile"/>).</summary>
    public string? LocalPath { get; init; }

    /// <summary>Parses a reference.</summary>
    /// <param name="text">The text the user typed.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="InvalidModelReferenceException">The text is not a valid reference (empty parts, <c>..</c>, bad characters).</exception>
    public static ModelReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        if (s.Length == 0)
        {
            throw new InvalidModelReferenceException("A model reference cannot be empty.");
        }

        if (IsLocalPath(s))
        {
            string expanded = s.StartsWith("~/", StringComparison.Ordinal)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), s[2..])
                : s;
            return new ModelReference { Kind = ModelReferenceKind.LocalFile, LocalPath = Path.GetFullPath(expanded) };
        }

        string? quant = null;
        int colon = s.LastIndexOf(':');
        if (colon >= 0)
        {
            quant = s[(colon + 1)..];
            s = s[..colon];
            if (!IsToken(quant))
            {
                throw new InvalidModelReferenceException($"'{text}': the quantization after ':' is not valid.");
            }
        }

        string[] segments = s.Split('/');
        string revision = DefaultRevision;
        if (segments.Length >= 2 && segments[1].IndexOf('@', StringComparison.Ordinal) is int at and > 0)
        {
            revision = segments[1][(at + 1)..];
            segments[1] = segments[1][..at];
            if (!IsToken(revision))
            {
                throw new InvalidModelReferenceException($"'{text}': the revision after '@' is not valid.");
            }
        }

        foreach (string segment in segments)
        {
            if (!IsToken(segment) || segment is "." or "..")
            {
                throw new InvalidModelReferenceException($"'{text}' is not a model reference: each part must be a plain name (letters, digits, '.', '_', '-'), without '..'.");
            }
        }

        return segments.Length switch
        {
            1 => new ModelReference { Kind = ModelReferenceKind.Alias, AliasName = segments[0].ToLowerInvariant(), Quantization = quant },
            2 => new ModelReference { Kind = ModelReferenceKind.Repository, Repository = s.Split('@')[0], Revision = revision, Quantization = quant },
            _ when IsModelFileName(segments[^1]) && quant is null => new ModelReference
            {
                Kind = ModelReferenceKind.RepositoryFile,
                Repository = segments[0] + "/" + segments[1],
                FilePath = string.Join('/', segments[2..]),
                Revision = revision,
            },
            _ => throw new InvalidModelReferenceException($"'{text}' is not a model reference: use name[:quant], owner/repo[:quant] or owner/repo/file.gguf (.bin, .onnx)."),
        };
    }

    /// <summary>Tries to parse a reference.</summary>
    /// <param name="text">The text the user typed.</param>
    /// <param name="reference">The parsed reference.</param>
    /// <returns><see langword="true"/> when the text is valid.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelReference? reference)
    {
        reference = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            reference = Parse(text);
            return true;
        }
        catch (InvalidModelReferenceException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        ModelReferenceKind.Alias => AliasName + (Quantization is null ? string.Empty : ":" + Quantization),
        ModelReferenceKind.Repository => Repository + (Revision == DefaultRevision ? string.Empty : "@" + Revision) + (Quantization is null ? string.Empty : ":" + Quantization),
        ModelReferenceKind.RepositoryFile => Repository + (Revision == DefaultRevision ? string.Empty : "@" + Revision) + "/" + FilePath,
        _ => LocalPath!,
    };

    /// <summary>The file extensions a repository-file reference may end with: GGUF models, whisper.cpp GGML models, ONNX voices.</summary>
    private static readonly string[] s_modelFileExtensions = [".gguf", ".bin", ".onnx"];

    private static bool IsModelFileName(string name) =>
        s_modelFileExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static bool IsLocalPath(string s) =>
        Path.IsPathFullyQualified(s)
        || s.StartsWith("./", StringComparison.Ordinal) || s.StartsWith("../", StringComparison.Ordinal) || s.StartsWith("~/", StringComparison.Ordinal)
        || s.StartsWith(".\\", StringComparison.Ordinal) || s.StartsWith("..\\", StringComparison.Ordinal)
        // A model file name that cannot be owner/repo/file.gguf ("x.gguf", "models/ggml-base.bin") is a file, even a
        // missing one, so that a typo reports a missing file instead of reaching out to the network.
        || (IsModelFileName(s) && (File.Exists(s) || s.Split('/', '\\').Length < 3));

    private static bool IsToken(string s) =>
        s.Length is > 0 and <= 200 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
