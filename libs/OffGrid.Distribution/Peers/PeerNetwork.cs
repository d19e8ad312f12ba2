using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Distribution.Packages;
using OffGrid.Distribution.Signing;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.Store;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// This machine's view of its OffGrid network on the LAN: its sharing state, the peers that answer with the network
/// secret (found by DNS-SD or on the manual list), the models they share, and downloads from one or several peers at
/// once through the Hub's resumable, verifying downloader into the model store.
/// </summary>
/// <remarks>Thread-safe; register as a singleton. Dispose to close pooled connections.</remarks>
public sealed class PeerNetwork : IDisposable
{
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(5);
    private readonly PeerSettingsStore _settings;
    private readonly TrustStore _trust;
    private readonly ModelStore _store;
    private readonly DistributionOptions _options;
    private readonly ILogger _logger;
    private readonly SocketsHttpHandler _handler = new() { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(2) };

    /// <summary>Initializes a new instance.</summary>
    /// <param name="settings">Sharing settings and the network secret.</param>
    /// <param name="trust">Judges the signatures models come with.</param>
    /// <param name="store">Where downloads go, and what this machine shares.</param>
    /// <param name="options">Timeouts and chunk sizes.</param>
    /// <param name="logger">Receives discovery and download diagnostics.</param>
    public PeerNetwork(PeerSettingsStore settings, TrustStore trust, ModelStore store, DistributionOptions options, ILogger<PeerNetwork>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _settings = settings;
        _trust = trust;
        _store = store;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets this machine's sharing state.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The state.</returns>
    public async Task<PeerStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        PeerSettings settings = await _settings.GetAsync(cancellationToken).ConfigureAwait(false);
        NetworkSecret? secret = await _settings.GetSecretAsync(cancellationToken).ConfigureAwait(false);
        int shared = settings.Sharing ? (await _store.ListAsync(cancellationToken).ConfigureAwait(false)).Count : 0;
        return new PeerStatus(settings.Sharing, secret is not null, settings.NodeId, settings.Name, settings.Port, secret?.NetworkTag, shared, settings.ManualPeers);
    }

    /// <summary>
    /// Finds the peers of this network: a DNS-SD query for <c>_offgrid._tcp</c> (answers with another network's tag
    /// are ignored) plus the manual peer list, then asks each for its status with a signed request. Peers without this
    /// network's secret never appear.
    /// </summary>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The peers that answered, and the manual peers that did not.</returns>
    /// <exception cref="PeerException">No network secret is set.</exception>
    public async Task<PeerDiscoveryResult> DiscoverAsync(CancellationToken cancellationToken = default)
    {
        NetworkSecret secret = await RequireSecretAsync(cancellationToken).ConfigureAwait(false);
        PeerSettings settings = await _settings.GetAsync(cancellationToken).ConfigureAwait(false);
        using var client = new PeerClient(secret, _handler);

        IReadOnlyList<AnnouncedService> announced;
        try
        {
            announced = await PeerBrowser.BrowseAsync(_options.DiscoveryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            _logger.LogWarning(ex, "Multicast DNS is not available here; only manual peers are asked");
            announced = [];
        }

        Task<PeerInfo?>[] multicast = announced
            .Where(s => s.Properties.GetValueOrDefault("net") == secret.NetworkTag && !s.Instance.Equals(settings.NodeId, StringComparison.OrdinalIgnoreCase))
            .Select(s => ProbeAnnouncedAsync(client, s, cancellationToken))
            .ToArray();
        Task<(string Address, PeerInfo? Peer, string? Problem)>[] manual = settings.ManualPeers
            .Select(address => ProbeManualAsync(client, address, cancellationToken))
            .ToArray();
        await Task.WhenAll([.. multicast, .. manual]).ConfigureAwait(false);

        var peers = new Dictionary<string, PeerInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (PeerInfo peer in multicast.Select(t => t.Result).Concat(manual.Select(t => t.Result.Peer)).OfType<PeerInfo>())
        {
            if (!peer.Id.Equals(settings.NodeId, StringComparison.OrdinalIgnoreCase))
            {
                peers.TryAdd(peer.Id, peer);
            }
        }

        List<UnreachablePeer> unreachable = manual.Select(t => t.Result).Where(r => r.Peer is null).Select(r => new UnreachablePeer(r.Address, r.Problem!)).ToList();
        return new PeerDiscoveryResult(peers.Values.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList(), unreachable);
    }

    /// <summary>
    /// Finds the peers a <see cref="PeerModelReference.Peers"/> part names: a name, an id (or a prefix of at least 6
    /// digits), <c>host:port</c>, a comma-separated list of these, or <c>*</c> for every peer.
    /// </summary>
    /// <param name="peers">The peer part of a reference.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The peers, at least one.</returns>
    /// <exception cref="PeerException">A named peer did not answer, or no peer answered.</exception>
    public async Task<IReadOnlyList<PeerInfo>> ResolveAsync(string peers, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peers);
        NetworkSecret secret = await RequireSecretAsync(cancellationToken).ConfigureAwait(false);
        using var client = new PeerClient(secret, _handler);
        PeerDiscoveryResult? discovered = null;
        var found = new Dictionary<string, PeerInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in peers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParseAddress(part, out string? host, out int port))
            {
                PeerInfo direct = await client.GetPeerAsync(PeerClient.EndpointFor(host, port), PeerDiscoveryMethod.Manual, s_probeTimeout, cancellationToken).ConfigureAwait(false);
                found.TryAdd(direct.Id, direct);
                continue;
            }

            discovered ??= await DiscoverAsync(cancellationToken).ConfigureAwait(false);
            List<PeerInfo> matches = part is "*" or "any"
                ? [.. discovered.Peers]
                : discovered.Peers.Where(p => p.Name.Equals(part, StringComparison.OrdinalIgnoreCase) || (part.Length >= 6 && p.Id.StartsWith(part, StringComparison.OrdinalIgnoreCase))).ToList();
            if (matches.Count == 0)
            {
                string known = discovered.Peers.Count == 0 ? "no peer answered" : "peers here: " + string.Join(", ", discovered.Peers.Select(p => p.Name));
                throw new PeerException(PeerProblem.UnknownPeer, $"No peer '{part}' answered with this network's secret ({known}).");
            }

            foreach (PeerInfo match in matches)
            {
                found.TryAdd(match.Id, match);
            }
        }

        return found.Values.ToList();
    }

    /// <summary>Lists the models a peer shares, with each one's signature judged against this machine's trust store.</summary>
    /// <param name="peer">A peer from <see cref="DiscoverAsync"/> or <see cref="ResolveAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The models.</returns>
    /// <exception cref="PeerException">The peer is unreachable or does not share with this network.</exception>
    public async Task<IReadOnlyList<PeerModel>> GetModelsAsync(PeerInfo peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        NetworkSecret secret = await RequireSecretAsync(cancellationToken).ConfigureAwait(false);
        using var client = new PeerClient(secret, _handler);
        return await ListAsync(client, peer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Downloads the model a reference names from the peers it names (see <see cref="PeerModelReference"/>).</summary>
    /// <param name="reference">The peers and the model.</param>
    /// <param name="progress">Receives bytes, rate and time left.</param>
    /// <param name="cancellationToken">Cancels the download; received bytes are kept and the next call resumes.</param>
    /// <returns>The stored model and what each peer delivered.</returns>
    /// <exception cref="PeerException">No named peer answers or shares the model, or its signature is invalid or revoked.</exception>
    /// <exception cref="DownloadIntegrityException">Every peer served bytes that do not match the listed SHA-256; nothing was stored.</exception>
    public async Task<PeerDownloadResult> DownloadAsync(PeerModelReference reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        IReadOnlyList<PeerInfo> peers = await ResolveAsync(reference.Peers, cancellationToken).ConfigureAwait(false);
        return await DownloadAsync(reference.Model, peers, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads <paramref name="model"/> into the store from every peer in <paramref name="peers"/> that shares the
    /// same files: large files are split into ranges spread over them; a peer that vanishes hands its ranges to the
    /// others; every file's SHA-256 is checked before the model enters the store. When several peers together deliver
    /// a corrupt file, each is then tried alone, so one bad peer cannot block the download.
    /// </summary>
    /// <param name="model">The model's store name on the peers, or its repository when one model matches.</param>
    /// <param name="peers">The peers to ask.</param>
    /// <param name="progress">Receives bytes, rate and time left.</param>
    /// <param name="cancellationToken">Cancels the download; received bytes are kept and the next call resumes.</param>
    /// <returns>The stored model and what each peer delivered.</returns>
    /// <exception cref="PeerException">No peer shares the model, or its signature is invalid or revoked.</exception>
    /// <exception cref="DownloadIntegrityException">Every peer served bytes that do not match the listed SHA-256; nothing was stored.</exception>
    public async Task<PeerDownloadResult> DownloadAsync(string model, IReadOnlyList<PeerInfo> peers, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(peers);
        NetworkSecret secret = await RequireSecretAsync(cancellationToken).ConfigureAwait(false);
        using var client = new PeerClient(secret, _handler);
        List<PeerModel> holders = await FindHoldersAsync(client, model, peers, cancellationToken).ConfigureAwait(false);
        PeerModel chosen = holders[0];
        if (chosen.Signature.Status is SignatureStatus.Invalid or SignatureStatus.RevokedKey)
        {
            throw new PeerException(PeerProblem.UntrustedModel, $"{chosen.Name} on {chosen.Peer.Name} carries a signature that {(chosen.Signature.Status == SignatureStatus.RevokedKey ? "is by a revoked key" : "does not verify")}; refusing to download it.");
        }

        var import = new ModelImport
        {
            Name = chosen.Name,
            Repository = chosen.Repository,
            Revision = chosen.Revision,
            Quantization = chosen.Quantization,
            Files = chosen.Files.Select(f => new ModelImportFile(f.Path, f.Size, f.Sha256)).ToList(),
        };
        var downloader = new FileDownloader(client.Http, new DownloaderOptions
        {
            MaxConnections = 2,
            MinChunkSize = _options.PeerChunkSize,
            RetryDelay = TimeSpan.FromMilliseconds(250),
            MaxRetries = 4,
        });

        ModelDownloadResult result;
        try
        {
            result = await DownloadFromAsync(holders, import, downloader, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (DownloadIntegrityException) when (holders.Count > 1)
        {
            result = await DownloadFromEachAloneAsync(holders, import, downloader, progress, cancellationToken).ConfigureAwait(false);
        }

        if (chosen.Provenance is { } provenance && chosen.Signature.Status is SignatureStatus.Trusted or SignatureStatus.UntrustedKey)
        {
            await ModelProvenance.SaveAsync(_options.HomeDirectory, result.Model.Files[0].Sha256, provenance, cancellationToken).ConfigureAwait(false);
        }

        var byPeer = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach ((Uri source, long bytes) in result.Downloads.SelectMany(d => d.BytesBySource))
        {
            string name = holders.FirstOrDefault(h => h.Peer.Endpoint.Authority == source.Authority)?.Peer.Name ?? source.Authority;
            byPeer[name] = byPeer.GetValueOrDefault(name) + bytes;
        }

        _logger.LogInformation("Downloaded {Model} from {Peers}", result.Model.Name, string.Join(", ", byPeer.Select(p => $"{p.Key} ({p.Value} bytes)")));
        return new PeerDownloadResult(result.Model, byPeer, chosen.Signature);
    }

    /// <inheritdoc/>
    public void Dispose() => _handler.Dispose();

    private Task<ModelDownloadResult> DownloadFromAsync(IReadOnlyList<PeerModel> holders, ModelImport import, FileDownloader downloader, IProgress<PullProgress>? progress, CancellationToken ct) =>
        _store.DownloadAsync(
            import,
            downloader,
            (file, destination) => new DownloadRequest
            {
                Source = PeerClient.FileUri(holders[0].Peer, file.Sha256),
                Mirrors = holders.Skip(1).Select(h => PeerClient.FileUri(h.Peer, file.Sha256)).ToList(),
                DestinationPath = destination,
                ExpectedSize = file.Size,
                ExpectedHash = ContentHash.Sha256(file.Sha256),
            },
            progress,
            ct);

    private async Task<ModelDownloadResult> DownloadFromEachAloneAsync(IReadOnlyList<PeerModel> holders, ModelImport import, FileDownloader downloader, IProgress<PullProgress>? progress, CancellationToken ct)
    {
        DownloadIntegrityException? last = null;
        foreach (PeerModel holder in holders)
        {
            try
            {
                return await DownloadFromAsync([holder], import, downloader, progress, ct).ConfigureAwait(false);
            }
            catch (DownloadIntegrityException ex)
            {
                _logger.LogWarning("{Peer} served a corrupt copy of {Model}: {Message}", holder.Peer.Name, import.Name, ex.Message);
                last = ex;
            }
        }

        throw last!;
    }

    private async Task<List<PeerModel>> FindHoldersAsync(PeerClient client, string model, IReadOnlyList<PeerInfo> peers, CancellationToken ct)
    {
        Task<IReadOnlyList<PeerModel>>[] listings = peers.Select(p => ListOrEmptyAsync(client, p, ct)).ToArray();
        await Task.WhenAll(listings).ConfigureAwait(false);
        List<PeerModel> all = listings.SelectMany(l => l.Result).ToList();
        List<PeerModel> matches = all.Where(m => m.Name.Equals(model, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            List<string> byRepository = all.Where(m => string.Equals(m.Repository, model, StringComparison.OrdinalIgnoreCase)).Select(m => m.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (byRepository.Count == 1)
            {
                matches = all.Where(m => m.Name.Equals(byRepository[0], StringComparison.OrdinalIgnoreCase)).ToList();
            }
        }

        if (matches.Count == 0)
        {
            string shared = all.Count == 0 ? "they share nothing" : "they share " + string.Join(", ", all.Select(m => m.Name).Distinct(StringComparer.OrdinalIgnoreCase));
            throw new PeerException(PeerProblem.ModelNotShared, $"No peer among {string.Join(", ", peers.Select(p => p.Name))} shares '{model}' ({shared}).");
        }

        // Only peers with exactly the same files can share the ranges of one download.
        PeerModel first = matches[0];
        return matches.Where(m => m.Files.Select(f => f.Sha256).SequenceEqual(first.Files.Select(f => f.Sha256), StringComparer.Ordinal)).ToList();
    }

    private async Task<IReadOnlyList<PeerModel>> ListOrEmptyAsync(PeerClient client, PeerInfo peer, CancellationToken ct)
    {
        try
        {
            return await ListAsync(client, peer, ct).ConfigureAwait(false);
        }
        catch (PeerException ex)
        {
            _logger.LogWarning("Skipping {Peer}: {Message}", peer.Name, ex.Message);
            return [];
        }
    }

    private async Task<IReadOnlyList<PeerModel>> ListAsync(PeerClient client, PeerInfo peer, CancellationToken ct)
    {
        PeerWire.ModelList list = await client.GetModelsAsync(peer, s_probeTimeout * 2, ct).ConfigureAwait(false);
        var models = new List<PeerModel>();
        foreach (PeerWire.Model model in list.Models ?? [])
        {
            if (model?.Files is not { Count: > 0 } files || files.Any(f => f?.Sha256 is not { Length: 64 } sha || !sha.All(char.IsAsciiHexDigitLower)))
            {
                continue; // not a listing we can download from
            }

            List<PeerModelFile> peerFiles = files.Select(f => new PeerModelFile(f.Path, f.Size, f.Sha256)).ToList();
            ModelProvenance? provenance = Decode(model.Signature);
            models.Add(new PeerModel
            {
                Peer = peer,
                Name = model.Name,
                Repository = model.Repository,
                Revision = model.Revision,
                Quantization = model.Quantization,
                Architecture = model.Architecture,
                ParameterCount = model.ParameterCount,
                SizeBytes = model.SizeBytes,
                Files = peerFiles,
                Signature = await JudgeAsync(provenance, peerFiles, ct).ConfigureAwait(false),
                Provenance = provenance,
            });
        }

        return models;
    }

    /// <summary>Judges the signed manifest a model came with: it must verify, and list a model with exactly these files.</summary>
    private async Task<PeerModelSignature> JudgeAsync(ModelProvenance? provenance, IReadOnlyList<PeerModelFile> files, CancellationToken ct)
    {
        if (provenance is null)
        {
            return PeerModelSignature.Unsigned;
        }

        SignedManifest.Verdict verdict;
        try
        {
            verdict = await SignedManifest.CheckAsync(provenance.Manifest, provenance.Signature, _trust, ct).ConfigureAwait(false);
        }
        catch (PackageException)
        {
            return new PeerModelSignature(SignatureStatus.Invalid, null, null);
        }

        bool covers = verdict.Manifest is { } manifest && manifest.Models.Any(m =>
            m.Files.Select(p => manifest.Files.FirstOrDefault(f => f.Path == p)?.Sha256).SequenceEqual(files.Select(f => f.Sha256), StringComparer.Ordinal));
        SignatureStatus status = verdict.Status is SignatureStatus.Trusted or SignatureStatus.UntrustedKey && !covers ? SignatureStatus.Invalid : verdict.Status;
        return new PeerModelSignature(status, verdict.Key?.Name, verdict.Key?.KeyId);
    }

    private static ModelProvenance? Decode(PeerWire.Provenance? signature)
    {
        if (signature is null)
        {
            return null;
        }

        try
        {
            return new ModelProvenance(Convert.FromBase64String(signature.Manifest), Convert.FromBase64String(signature.Signature));
        }
        catch (FormatException)
        {
            return new ModelProvenance([], []);
        }
    }

    private async Task<PeerInfo?> ProbeAnnouncedAsync(PeerClient client, AnnouncedService service, CancellationToken ct)
    {
        string path = service.Properties.GetValueOrDefault("path") is { } p && p.StartsWith('/') ? p : PeerWire.DefaultPrefix;
        foreach (IPAddress address in service.Addresses)
        {
            try
            {
                return await client.GetPeerAsync(PeerClient.EndpointFor(address.ToString(), service.Port, path), PeerDiscoveryMethod.Multicast, s_probeTimeout, ct).ConfigureAwait(false);
            }
            catch (PeerException ex)
            {
                _logger.LogDebug("Announced peer {Instance} at {Address}:{Port}: {Message}", service.Instance, address, service.Port, ex.Message);
            }
        }

        return null;
    }

    private static async Task<(string Address, PeerInfo? Peer, string? Problem)> ProbeManualAsync(PeerClient client, string address, CancellationToken ct)
    {
        if (!TryParseAddress(address, out string? host, out int port))
        {
            return (address, null, "not a host:port address");
        }

        try
        {
            return (address, await client.GetPeerAsync(PeerClient.EndpointFor(host, port), PeerDiscoveryMethod.Manual, s_probeTimeout, ct).ConfigureAwait(false), null);
        }
        catch (PeerException ex)
        {
            return (address, null, ex.Message);
        }
    }

    private async Task<NetworkSecret> RequireSecretAsync(CancellationToken ct) =>
        await _settings.GetSecretAsync(ct).ConfigureAwait(false)
        ?? throw new PeerException(PeerProblem.NotConfigured, "No network secret is set: run 'offgrid share on --generate-secret' on one machine and 'offgrid share on --secret-file <file>' (or 'off') with the same secret on the others.");

    /// <summary>Parses a peer address, <c>host:port</c> (IPv6 in brackets); a bare IP address gets <see cref="DistributionOptions.DefaultPeerPort"/>.</summary>
    /// <param name="text">The address.</param>
    /// <param name="host">The host name or IP address.</param>
    /// <param name="port">The port.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is an address.</returns>
    public static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? host, out int port)
    {
        host = null;
        port = DistributionOptions.DefaultPeerPort;
        if (IPAddress.TryParse(text.Trim('[', ']'), out IPAddress? bare) && !text.Contains("]:", StringComparison.Ordinal) && (bare.AddressFamily == AddressFamily.InterNetworkV6 || !text.Contains(':', StringComparison.Ordinal)))
        {
            host = bare.ToString();
            return true;
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            port = 0;
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}
