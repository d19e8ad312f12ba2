using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// The request and response authentication between peers. A request carries
/// <c>Authorization: OffGrid-P2P ts=&lt;unix seconds&gt;,nonce=&lt;random&gt;,sig=&lt;base64 HMAC-SHA256&gt;</c> over the method,
/// path and query, time and nonce; a JSON response carries <c>X-OffGrid-Proof</c>, an HMAC over the request's nonce
/// and the body, so the client knows the answer came from a machine with the secret.
/// </summary>
/// <remarks>Thread-safe. The nonce cache refuses a replayed request within the accepted clock skew.</remarks>
internal sealed class PeerAuthentication
{
    public const string Scheme = "OffGrid-P2P";
    public const string ProofHeader = "X-OffGrid-Proof";
    private const int MaxRememberedNonces = 100_000;

    private readonly ConcurrentDictionary<string, long> _seenNonces = new(StringComparer.Ordinal);
    private readonly TimeSpan _skew;
    private readonly TimeProvider _time;

    public PeerAuthentication(TimeSpan skew, TimeProvider? time = null)
    {
        _skew = skew;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates the header of a request; returns it and its nonce.</summary>
    public static (string Header, string Nonce) Sign(NetworkSecret secret, string method, string pathAndQuery, DateTimeOffset now)
    {
        string nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        long ts = now.ToUnixTimeSeconds();
        string sig = Convert.ToBase64String(Mac(secret, RequestText(method, pathAndQuery, ts, nonce)));
        return ($"{Scheme} ts={ts.ToString(CultureInfo.InvariantCulture)},nonce={nonce},sig={sig}", nonce);
    }

    /// <summary>Checks a request header; returns the request's nonce when it is valid, fresh and not replayed, else <see langword="null"/>.</summary>
    public string? Verify(NetworkSecret secret, string? header, string method, string pathAndQuery)
    {
        if (header is null || !header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return null;
        }

        Dictionary<string, string> parts = header[(Scheme.Length + 1)..].Split(',')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        if (!parts.TryGetValue("ts", out string? tsText) || !long.TryParse(tsText, NumberStyles.None, CultureInfo.InvariantCulture, out long ts)
            || !parts.TryGetValue("nonce", out string? nonce) || nonce.Length is < 16 or > 64
            || !parts.TryGetValue("sig", out string? sigText))
        {
            return null;
        }

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - ts) > _skew.TotalSeconds)
        {
            return null;
        }

        Span<byte> given = stackalloc byte[32];
        if (!Convert.TryFromBase64String(sigText, given, out int length) || length != 32
            || !CryptographicOperations.FixedTimeEquals(given, Mac(secret, RequestText(method, pathAndQuery, ts, nonce))))
        {
            return null;
        }

        return Remember(nonce, now) ? nonce : null;
    }

    /// <summary>The proof header of a response to the request with <paramref name="nonce"/>.</summary>
    public static string Proof(NetworkSecret secret, string nonce, ReadOnlySpan<byte> body) =>
        Convert.ToBase64String(Mac(secret, ResponseText(nonce, body)));

    /// <summary>Checks the proof of a response to the request with <paramref name="nonce"/>.</summary>
    public static bool VerifyProof(NetworkSecret secret, string nonce, ReadOnlySpan<byte> body, string? proof)
    {
        Span<byte> given = stackalloc byte[32];
        return proof is not null
            && Convert.TryFromBase64String(proof, given, out int length) && length == 32
            && CryptographicOperations.FixedTimeEquals(given, Mac(secret, ResponseText(nonce, body)));
    }

    private bool Remember(string nonce, long now)
    {
        if (_seenNonces.Count > MaxRememberedNonces)
        {
            long oldest = now - (long)_skew.TotalSeconds * 2;
            foreach ((string key, long seen) in _seenNonces)
            {
                if (seen < oldest)
                {
                    _seenNonces.TryRemove(key, out _);
                }
            }
        }

        return _seenNonces.TryAdd(nonce, now);
    }

    private static byte[] RequestText(string method, string pathAndQuery, long ts, string nonce) =>
        Encoding.UTF8.GetBytes($"{Scheme}\nrequest\n{method.ToUpperInvariant()}\n{pathAndQuery}\n{ts.ToString(CultureInfo.InvariantCulture)}\n{nonce}");

    private static byte[] ResponseText(string nonce, ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetBytes($"{Scheme}\nresponse\n{nonce}\n{Convert.ToHexStringLower(SHA256.HashData(body))}");

    private static byte[] Mac(NetworkSecret secret, byte[] text) => HMACSHA256.HashData(secret.AuthenticationKey, text);
}
