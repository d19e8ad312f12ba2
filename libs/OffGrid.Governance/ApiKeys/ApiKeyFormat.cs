using System.Security.Cryptography;
using System.Text;

namespace OffGrid.Governance.ApiKeys;

/// <summary>
/// The shape of an OffGrid API key: <c>og_</c>, a 12-character id, <c>_</c>, and a 40-character secret, all base62 from the
/// system CSPRNG. The id is stored in clear to find the key; only a SHA-256 of the whole key is stored, which suffices for a
/// random secret of this length (no password stretching needed), and is compared in constant time.
/// </summary>
internal static class ApiKeyFormat
{
    public const string Prefix = "og_";
    public const int IdLength = 12;
    public const int SecretLength = 40;
    public const int KeyLength = 3 + IdLength + 1 + SecretLength;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string NewId() => Prefix + RandomNumberGenerator.GetString(Alphabet, IdLength);

    public static string NewKey(string id) => id + "_" + RandomNumberGenerator.GetString(Alphabet, SecretLength);

    /// <summary>Splits a presented key into its id; <see langword="null"/> when it does not have the shape of a key.</summary>
    public static string? TryGetId(string presented)
    {
        if (presented.Length != KeyLength || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented[Prefix.Length + IdLength] != '_')
        {
            return null;
        }

        return presented[..(Prefix.Length + IdLength)];
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool Matches(string presented, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);
}
