using System.Security.Cryptography;
using System.Text;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// The secret shared by the machines of one OffGrid network. It is never sent: requests between peers carry an
/// HMAC-SHA256 made with a key derived from it (HKDF-SHA256, RFC 5869), and DNS-SD announcements carry only a short
/// tag derived from it, so machines without the secret see no models and cannot tell which network a tag belongs to.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class NetworkSecret
{
    /// <summary>The fewest characters a secret may have.</summary>
    public const int MinimumLength = 16;

    private const string GeneratedPrefix = "ogn1-";
    private static readonly byte[] s_salt = "offgrid-p2p-v1"u8.ToArray();
    private readonly string _text;

    private NetworkSecret(string text)
    {
        _text = text;
        byte[] material = Encoding.UTF8.GetBytes(text);
        AuthenticationKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, s_salt, "request authentication"u8.ToArray());
        byte[] tagKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, s_salt, "network tag"u8.ToArray());
        NetworkTag = Convert.ToHexStringLower(HMACSHA256.HashData(tagKey, "offgrid network"u8).AsSpan(0, 8));
    }

    /// <summary>Gets a short public tag of the network (16 hexadecimal digits), announced over DNS-SD so that peers of other networks are ignored.</summary>
    public string NetworkTag { get; }

    /// <summary>Gets the key that authenticates requests and responses.</summary>
    internal byte[] AuthenticationKey { get; }

    /// <summary>Creates a random secret (256 bits).</summary>
    /// <returns>The secret.</returns>
    public static NetworkSecret Generate() => new(GeneratedPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    /// <summary>Uses <paramref name="text"/> (a generated secret or a passphrase) as the secret.</summary>
    /// <param name="text">At least <see cref="MinimumLength"/> characters; surrounding white space is ignored.</param>
    /// <returns>The secret.</returns>
    /// <exception cref="PeerException">The text is too short.</exception>
    public static NetworkSecret Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        return trimmed.Length >= MinimumLength && !trimmed.Any(char.IsControl)
            ? new NetworkSecret(trimmed)
            : throw new PeerException(PeerProblem.InvalidInput, $"A network secret needs at least {MinimumLength} characters on one line; generate one with 'offgrid share on --generate-secret'.");
    }

    /// <summary>Gets the secret's text, to copy to the other machines of the network (keep it secret).</summary>
    /// <returns>The text.</returns>
    public string Reveal() => _text;

    /// <summary>Returns a description that does not reveal the secret.</summary>
    /// <returns>The network tag.</returns>
    public override string ToString() => $"network {NetworkTag}";
}
