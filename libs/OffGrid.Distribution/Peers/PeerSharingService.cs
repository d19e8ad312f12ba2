using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Distribution.Packages;
using OffGrid.Hub.Store;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// The serving side of peer sharing: decides whether a request is from this network (sharing on, a valid signature
/// made with the network secret), and answers with this machine's identity, its shared models and their files.
/// </summary>
/// <remarks>Thread-safe; settings and the secret are read again when their files change.</remarks>
internal sealed class PeerSharingService
{
    public static readonly string Version = typeof(PeerSharingService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private readonly PeerSettingsStore _settings;
    private readonly ModelStore _store;
    private readonly PeerAuthentication _authentication;
    private readonly string _home;
    private readonly ILogger _logger;

    public PeerSharingService(PeerSettingsStore settings, ModelStore store, DistributionOptions options, ILogger<PeerSharingService>? logger = null)
    {
        _settings = settings;
        _store = store;
        _home = options.HomeDirectory;
        _authentication = new PeerAuthentication(options.PeerClockSkew);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Returns the secret and request nonce when sharing is on and the request is signed with the secret; otherwise null (the caller answers 404).</summary>
    public async Task<(NetworkSecret Secret, string Nonce)?> AuthorizeAsync(string method, string pathAndQuery, string? authorization, string? remote, CancellationToken ct)
    {
        PeerSettings settings = await _settings.GetAsync(ct).ConfigureAwait(false);
        NetworkSecret? secret = settings.Sharing ? await _settings.GetSecretAsync(ct).ConfigureAwait(false) : null;
        if (secret is not null && _authentication.Verify(secret, authorization, method, pathAndQuery) is { } nonce)
        {
            return (secret, nonce);
        }

        DistributionTelemetry.PeerRequestsRefused.Add(1);
        _logger.LogDebug("Refused peer request {Method} {Path} from {Remote} (sharing {Sharing}, secret {HasSecret}, signature invalid or absent)", method, pathAndQuery, remote, settings.Sharing, secret is not null);
        return null;
    }

    public async Task<PeerWire.Status> GetStatusAsync(CancellationToken ct)
    {
        PeerSettings settings = await _settings.GetAsync(ct).ConfigureAwait(false);
        IReadOnlyList<ModelManifest> models = await _store.ListAsync(ct).ConfigureAwait(false);
        return new PeerWire.Status(settings.NodeId, settings.Name, Version, models.Count);
    }

    public async Task<PeerWire.ModelList> GetModelsAsync(CancellationToken ct)
    {
        var models = new List<PeerWire.Model>();
        foreach (ModelManifest model in await _store.ListAsync(ct).ConfigureAwait(false))
        {
            ModelProvenance? provenance = await ModelProvenance.TryLoadAsync(_home, model.Files[0].Sha256, ct).ConfigureAwait(false);
            models.Add(new PeerWire.Model(
                model.Name,
                model.Repository,
                model.Revision,
                model.Quantization,
                model.Architecture,
                model.ParameterCount,
                model.SizeBytes,
                model.Files.Select(f => new PeerWire.File(Path.GetFileName(f.Path), f.Size, f.Sha256.ToLowerInvariant())).ToList(),
                provenance is null ? null : new PeerWire.Provenance(Convert.ToBase64String(provenance.Manifest), Convert.ToBase64String(provenance.Signature))));
        }

        return new PeerWire.ModelList(models);
    }

    /// <summary>Finds the stored file with <paramref name="sha256"/>; null when no shared model has it.</summary>
    public async Task<string?> FindFileAsync(string sha256, CancellationToken ct)
    {
        foreach (ModelManifest model in await _store.ListAsync(ct).ConfigureAwait(false))
        {
            if (model.Files.FirstOrDefault(f => f.Sha256.Equals(sha256, StringComparison.OrdinalIgnoreCase)) is { } file)
            {
                string path = model.GetFullPath(file);
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }
}
