using System.Security.Cryptography;
using System.Text.Json;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// Reads and changes <see cref="PeerSettings"/> (<c>p2p.json</c>) and the network secret (<c>p2p.secret</c>, readable
/// only by its owner; the <c>OFFGRID_P2P_SECRET</c> environment variable overrides it). Changes take effect at once in
/// a running server, which reads the settings again when the file changes.
/// </summary>
/// <remarks>Thread-safe; files are replaced atomically.</remarks>
public sealed class PeerSettingsStore
{
    /// <summary>The environment variable that supplies the network secret instead of the secret file.</summary>
    public const string SecretVariable = "OFFGRID_P2P_SECRET";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    private readonly string _settingsPath;
    private readonly string _secretPath;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CachedSettings? _cached;

    /// <summary>Initializes a new instance over the files <paramref name="options"/> names.</summary>
    /// <param name="options">The distribution settings.</param>
    public PeerSettingsStore(DistributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settingsPath = Path.GetFullPath(options.GetPeerSettingsFile());
        _secretPath = Path.GetFullPath(options.GetNetworkSecretFile());
    }

    /// <summary>Gets the settings; defaults (sharing off, a new node id, the machine name) when none were saved.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="PeerException">The settings file is damaged.</exception>
    public async Task<PeerSettings> GetAsync(CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(_settingsPath);
        if (!info.Exists)
        {
            // Unsaved defaults stay the same for the life of this instance (one node id).
            return _cached is { Length: < 0 } unsaved ? unsaved.Settings : Remember(DateTime.MinValue, -1, Defaults());
        }

        if (_cached is { } cached && cached.Written == info.LastWriteTimeUtc && cached.Length == info.Length)
        {
            return cached.Settings;
        }

        try
        {
            PeerSettings settings = JsonSerializer.Deserialize<PeerSettings>(await File.ReadAllBytesAsync(_settingsPath, cancellationToken).ConfigureAwait(false), s_json)
                ?? Defaults();
            return Remember(info.LastWriteTimeUtc, info.Length, settings);
        }
        catch (JsonException ex)
        {
            throw new PeerException(PeerProblem.NotConfigured, $"The peer settings {_settingsPath} are damaged ({ex.Message}); fix or remove the file.", ex);
        }
    }

    /// <summary>Changes the settings and saves them.</summary>
    /// <param name="change">Gives the new settings from the current ones.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The saved settings.</returns>
    /// <exception cref="PeerException">
    /// The new port is not 1-65535, or the new name is blank, holds control characters or is longer than a DNS-SD label
    /// (63 bytes of UTF-8); nothing is saved.
    /// </exception>
    public async Task<PeerSettings> UpdateAsync(Func<PeerSettings, PeerSettings> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PeerSettings settings = change(await GetAsync(cancellationToken).ConfigureAwait(false));
            if (settings.Port is < 1 or > 65535)
            {
                throw new PeerException(PeerProblem.InvalidInput, $"The port {settings.Port} is not a TCP port (1-65535).");
            }

            // The name is a DNS-SD instance label: at most 63 bytes of UTF-8 (RFC 6763 §4.1.1), shown to people.
            if (string.IsNullOrWhiteSpace(settings.Name) || settings.Name.Any(char.IsControl) || System.Text.Encoding.UTF8.GetByteCount(settings.Name) > 63)
            {
                throw new PeerException(PeerProblem.InvalidInput, $"The name '{settings.Name}' cannot be shown to peers: use 1 to 63 bytes of printable text.");
            }

            await WriteAsync(_settingsPath, JsonSerializer.SerializeToUtf8Bytes(settings, s_json), privateFile: false, cancellationToken).ConfigureAwait(false);
            _cached = null;
            return settings;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gets the network secret: <c>OFFGRID_P2P_SECRET</c>, else the secret file, else <see langword="null"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The secret, or <see langword="null"/> when none is set.</returns>
    /// <exception cref="PeerException">The secret is too short.</exception>
    public async Task<NetworkSecret?> GetSecretAsync(CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } fromEnvironment)
        {
            return NetworkSecret.Parse(fromEnvironment);
        }

        return File.Exists(_secretPath) ? NetworkSecret.Parse(await File.ReadAllTextAsync(_secretPath, cancellationToken).ConfigureAwait(false)) : null;
    }

    /// <summary>Saves the network secret into the secret file, readable only by the current user.</summary>
    /// <param name="secret">The secret.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public Task SaveSecretAsync(NetworkSecret secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return WriteAsync(_secretPath, System.Text.Encoding.UTF8.GetBytes(secret.Reveal() + "\n"), privateFile: true, cancellationToken);
    }

    private PeerSettings Remember(DateTime written, long length, PeerSettings settings)
    {
        _cached = new CachedSettings(written, length, settings);
        return settings;
    }

    private static PeerSettings Defaults() => new()
    {
        NodeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        Name = Environment.MachineName,
    };

    private static async Task WriteAsync(string path, byte[] content, bool privateFile, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (privateFile && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(temp, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, ct).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The settings last read and the file state they were read from (a length of -1: unsaved defaults).</summary>
    private sealed record CachedSettings(DateTime Written, long Length, PeerSettings Settings);
}
