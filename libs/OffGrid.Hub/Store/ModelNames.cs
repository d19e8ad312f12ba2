namespace OffGrid.Hub.Store;

/// <summary>
/// The rule for the names models are stored under (<c>owner/repo:Q4_K_M</c>, <c>local/my-model</c>), whoever chose the name
/// (a user, a package's publisher, a LAN peer, the Hub reference): every way into the <see cref="ModelStore"/> checks it. At most <see cref="MaxLength"/> characters of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, <c>+</c>, <c>:</c>
/// and <c>/</c> between parts, no part <c>.</c> or <c>..</c>. Such a name is shown as it is in listings, logs and banners and
/// maps to one folder of the store (<c>/</c> becomes <c>--</c>, <c>:</c> becomes <c>__</c>), never outside it.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public static class ModelNames
{
    /// <summary>The longest name allowed: 128 characters, so that the store's folder and file names stay far from file-system limits.</summary>
    public const int MaxLength = 128;

    private static readonly System.Buffers.SearchValues<char> s_allowed =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+:/");

    /// <summary>Says what is wrong with a name a user chose for a stored model.</summary>
    /// <param name="name">The name.</param>
    /// <returns>One sentence naming the problem, or <see langword="null"/> when the name is valid.</returns>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "A model name cannot be empty.";
        }

        if (name.Length > MaxLength)
        {
            return $"A model name has at most {MaxLength} characters; this one has {name.Length}.";
        }

        int at = name.AsSpan().IndexOfAnyExcept(s_allowed);
        if (at >= 0)
        {
            char bad = name[at];
            string shown = char.IsControl(bad) ? $"U+{(int)bad:X4}" : $"'{bad}'";
            return $"'{Printable(name)}' has the character {shown}; a model name has letters, digits, '.', '_', '-', '+', ':' and '/' between its parts.";
        }

        if (name.Split('/').Any(part => part is "" or "." or ".."))
        {
            return $"'{name}' is not a model name: it looks like a path ('/' only separates parts, none of them empty, '.' or '..').";
        }

        return null;
    }

    /// <summary>Throws when <paramref name="name"/> breaks the rule; the one check every way into the store makes.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="InvalidModelNameException">The name breaks the rule; the message says how.</exception>
    public static void ThrowIfInvalid(string? name)
    {
        if (Problem(name) is { } problem)
        {
            throw new InvalidModelNameException($"The store does not take this model name: {problem}");
        }
    }

    /// <summary>
    /// The store name of a model nobody named for the store (a file, a model folder's file, a configured name):
    /// <c>local/</c> and that name, with every character the rule does not allow (and <c>/</c>, <c>:</c>) replaced by
    /// <c>-</c>, leading dots dropped and cut to <see cref="MaxLength"/>, so that any file can be imported.
    /// </summary>
    /// <param name="name">The file's name without its extension, or another name from outside the store.</param>
    /// <returns>A name that passes <see cref="Problem"/>, for example <c>local/My-Model--v2-</c> for <c>My Model (v2)</c>.</returns>
    public static string Local(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        const string Prefix = "local/";
        string cleaned = string.Concat(name.Select(c => s_allowed.Contains(c) && c is not ('/' or ':') ? c : '-')).Trim('.');
        cleaned = cleaned.Length == 0 ? "model" : cleaned;
        return Prefix + cleaned[..Math.Min(cleaned.Length, MaxLength - Prefix.Length)];
    }

    private static string Printable(string name) => string.Concat(name.Select(c => char.IsControl(c) ? '?' : c));
}
