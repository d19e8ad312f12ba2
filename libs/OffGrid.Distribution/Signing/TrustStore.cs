using System.Text.Json;

namespace OffGrid.Distribution.Signing;

/// <summary>
/// The publisher keys this machine trusts to sign packages, and the keys it has revoked (kept, so that a revoked key
/// stays refused): a JSON file, <c>trusted-publishers.json</c> under <c>OFFGRID_HOME</c> by default.
/// </summary>
/// <remarks>
/// Thread-safe within a process; writes replace the file atomically, so a reader in another process sees the old or
/// the new list, never a mix (two processes changing it at the same moment: the last one wins).
/// </remarks>
public sealed class TrustStore
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Initializes a new instance over <paramref name="path"/> (created on the first change).</summary>
    /// <param name="path">The trust store file.</param>
    public TrustStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = Path.GetFullPath(path);
    }

    /// <summary>Gets the trust store file.</summary>
    public string FilePath { get; }

    /// <summary>Lists every trusted and revoked key.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries, trusted first, by name.</returns>
    public async Task<IReadOnlyList<TrustedPublisher>> ListAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).OrderBy(p => p.IsRevoked).ThenBy(p => p.Key.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Finds the entry of a key id (trusted or revoked).</summary>
    /// <param name="keyId">The full key id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entry, or <see langword="null"/> when the key is unknown.</returns>
    public async Task<TrustedPublisher?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return (await ReadAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Key.KeyId.Equals(keyId, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Trusts <paramref name="key"/> to sign packages.</summary>
    /// <param name="key">The publisher key.</param>
    /// <param name="overrideRevocation">Trusts a key that was revoked here before; otherwise that is refused.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="PublisherKeyException">The key was revoked and <paramref name="overrideRevocation"/> is false.</exception>
    public Task<TrustedPublisher> TrustAsync(PublisherKey key, bool overrideRevocation = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ChangeAsync(entries =>
        {
            int index = entries.FindIndex(p => p.Key.Equals(key));
            if (index >= 0 && entries[index].IsRevoked && !overrideRevocation)
            {
                throw new PublisherKeyException($"The key {key.KeyId} ({entries[index].Key.Name}) was revoked on {entries[index].RevokedAt:yyyy-MM-dd}; trusting it again needs --force.");
            }

            var entry = new TrustedPublisher(key, DateTimeOffset.UtcNow, null);
            if (index >= 0)
            {
                entries[index] = entry;
            }
            else
            {
                entries.Add(entry);
            }

            return entry;
        }, cancellationToken);
    }

    /// <summary>Forgets a key: packages it signed are no longer trusted (and a revoked key is no longer refused as revoked).</summary>
    /// <param name="keyIdOrName">A key id (or a prefix of at least 8 digits) or a publisher name.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The removed entry.</returns>
    /// <exception cref="PublisherKeyException">No entry or more than one matches.</exception>
    public Task<TrustedPublisher> RemoveAsync(string keyIdOrName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyIdOrName);
        return ChangeAsync(entries =>
        {
            TrustedPublisher entry = Single(entries, keyIdOrName);
            entries.Remove(entry);
            return entry;
        }, cancellationToken);
    }

    /// <summary>Revokes a key in the store: packages it signed are refused as signed by a revoked key.</summary>
    /// <param name="keyIdOrName">A key id (or a prefix of at least 8 digits) or a publisher name.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The revoked entry.</returns>
    /// <exception cref="PublisherKeyException">No entry or more than one matches.</exception>
    public Task<TrustedPublisher> RevokeAsync(string keyIdOrName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyIdOrName);
        return ChangeAsync(entries => Revoke(entries, Single(entries, keyIdOrName).Key), cancellationToken);
    }

    /// <summary>Revokes <paramref name="key"/>, recording it first when it was never trusted here (a revocation notice from its publisher).</summary>
    /// <param name="key">The publisher key.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The revoked entry.</returns>
    public Task<TrustedPublisher> RevokeAsync(PublisherKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ChangeAsync(entries => Revoke(entries, key), cancellationToken);
    }

    private static TrustedPublisher Revoke(List<TrustedPublisher> entries, PublisherKey key)
    {
        int index = entries.FindIndex(p => p.Key.Equals(key));
        TrustedPublisher entry = index >= 0
            ? entries[index] with { RevokedAt = entries[index].RevokedAt ?? DateTimeOffset.UtcNow }
            : new TrustedPublisher(key, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        if (index >= 0)
        {
            entries[index] = entry;
        }
        else
        {
            entries.Add(entry);
        }

        return entry;
    }

    private static TrustedPublisher Single(List<TrustedPublisher> entries, string keyIdOrName)
    {
        List<TrustedPublisher> matches = entries.Where(p => p.Key.Matches(keyIdOrName)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new PublisherKeyException($"No key in the trust store matches '{keyIdOrName}'; see 'offgrid package key list'."),
            _ => throw new PublisherKeyException($"'{keyIdOrName}' matches {matches.Count} keys ({string.Join(", ", matches.Select(m => m.Key.KeyId))}); give more of the key id."),
        };
    }

    private async Task<TrustedPublisher> ChangeAsync(Func<List<TrustedPublisher>, TrustedPublisher> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            List<TrustedPublisher> entries = await ReadAsync(ct).ConfigureAwait(false);
            TrustedPublisher result = change(entries);
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            string temp = $"{FilePath}.{Environment.ProcessId}.tmp";
            var file = new StoreFile { Publishers = entries.Select(StoredKey.From).ToList() };
            await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(file, s_json), ct).ConfigureAwait(false);
            File.Move(temp, FilePath, overwrite: true);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<List<TrustedPublisher>> ReadAsync(CancellationToken ct)
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        StoreFile? file;
        try
        {
            file = JsonSerializer.Deserialize<StoreFile>(await File.ReadAllBytesAsync(FilePath, ct).ConfigureAwait(false), s_json);
        }
        catch (JsonException ex)
        {
            // A damaged trust store must not silently become "trust nobody" or, worse, lose revocations.
            throw new PublisherKeyException($"The trust store {FilePath} is damaged ({ex.Message}); fix or remove it.", ex);
        }

        return (file?.Publishers ?? []).Select(k => k.ToEntry(FilePath)).ToList();
    }

    private sealed class StoreFile
    {
        public List<StoredKey>? Publishers { get; init; }
    }

    private sealed class StoredKey
    {
        public string? Name { get; init; }

        public string? KeyId { get; init; }

        public string? PublicKey { get; init; }

        public DateTimeOffset TrustedAt { get; init; }

        public DateTimeOffset? RevokedAt { get; init; }

        public static StoredKey From(TrustedPublisher entry) => new()
        {
            Name = entry.Key.Name,
            KeyId = entry.Key.KeyId,
            PublicKey = Convert.ToBase64String(entry.Key.RawKey.Span),
            TrustedAt = entry.TrustedAt,
            RevokedAt = entry.RevokedAt,
        };

        public TrustedPublisher ToEntry(string path)
        {
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(PublicKey ?? string.Empty);
            }
            catch (FormatException ex)
            {
                throw new PublisherKeyException($"The trust store {path} holds a damaged key ({Name}); fix or remove it.", ex);
            }

            return new TrustedPublisher(Signing.PublisherKey.FromRaw(raw, Name ?? "unnamed"), TrustedAt, RevokedAt);
        }
    }
}
