using System.Diagnostics.CodeAnalysis;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// A model on LAN peers, written <c>peer:&lt;peers&gt;/&lt;model&gt;</c>: <c>&lt;peers&gt;</c> is a peer name, id (or a prefix of at
/// least 6 digits), <c>host:port</c>, a comma-separated list of these, or <c>*</c> for every peer that shares the model.
/// </summary>
/// <param name="Peers">The peer part.</param>
/// <param name="Model">The model's store name (or its repository) on the peers.</param>
public sealed record PeerModelReference(string Peers, string Model)
{
    /// <summary>The prefix that marks a peer reference.</summary>
    public const string Prefix = "peer:";

    /// <summary>Parses <c>peer:&lt;peers&gt;/&lt;model&gt;</c>.</summary>
    /// <param name="text">The reference.</param>
    /// <param name="reference">The parsed reference.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a peer reference with both parts.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out PeerModelReference? reference)
    {
        reference = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string rest = text[Prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return false;
        }

        reference = new PeerModelReference(rest[..slash], rest[(slash + 1)..]);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Prefix}{Peers}/{Model}";
}
