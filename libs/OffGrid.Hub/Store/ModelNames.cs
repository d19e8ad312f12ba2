namespace OffGrid.Hub.Store;

/// <summary>
/// The rule for the names models are stored under (<c>owner/repo:Q4_K_M</c>, <c>local/my-model</c>), for names a user
/// chooses: at most <see cref="MaxLength"/> characters of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, <c>+</c>, <c>:</c>
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

    private static string Printable(string name) => string.Concat(name.Select(c => char.IsControl(c) ? '?' : c));
}
