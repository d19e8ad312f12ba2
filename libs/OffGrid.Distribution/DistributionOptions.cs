using OffGrid.Hub;

namespace OffGrid.Distribution;

/// <summary>
/// Settings of OffGrid distribution: where the publisher key, the trust store, peer settings and temporary files live,
/// and how peers are found and served. Every path defaults under <see cref="HomeDirectory"/>.
/// </summary>
/// <remarks>Plain settings object; configure it before use and do not change it afterwards.</remarks>
public sealed class DistributionOptions
{
    /// <summary>The default TCP port peers serve shared models on.</summary>
    public const int DefaultPeerPort = 11612;

    /// <summary>Gets or sets the OffGrid home folder; <c>OFFGRID_HOME</c>, else <c>~/.offgrid</c>.</summary>
    public string HomeDirectory { get; set; } = OffGridHome.Directory;

    /// <summary>Gets or sets this machine's publisher key file (private: mode 0600); <c>keys/publisher.json</c> under the home folder when <see langword="null"/>.</summary>
    public string? PublisherKeyFile { get; set; }

    /// <summary>Gets or sets the trusted publisher keys file; <c>trusted-publishers.json</c> under the home folder when <see langword="null"/>.</summary>
    public string? TrustStoreFile { get; set; }

    /// <summary>Gets or sets the peer-sharing settings file (sharing on/off, name, port, manual peers); <c>p2p.json</c> under the home folder when <see langword="null"/>.</summary>
    public string? PeerSettingsFile { get; set; }

    /// <summary>Gets or sets the network secret file (mode 0600); <c>p2p.secret</c> under the home folder when <see langword="null"/>. <c>OFFGRID_P2P_SECRET</c> overrides it.</summary>
    public string? NetworkSecretFile { get; set; }

    /// <summary>Gets or sets the folder for archive extraction during imports; <c>tmp</c> under the home folder when <see langword="null"/>.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>Gets or sets how long a peer query (DNS-SD browse, then the peers' status) waits for answers. Default 2 s.</summary>
    public TimeSpan DiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets the smallest byte range fetched from one peer; files under twice this come from one peer. Default 4 MiB.</summary>
    public long PeerChunkSize { get; set; } = 4L << 20;

    /// <summary>Gets or sets how far a peer request's timestamp may be from this machine's clock before it is refused. Default 5 min.</summary>
    public TimeSpan PeerClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the publisher key file in effect.</summary>
    /// <returns>The file path.</returns>
    public string GetPublisherKeyFile() => PublisherKeyFile ?? Path.Combine(HomeDirectory, "keys", "publisher.json");

    /// <summary>Gets the trust store file in effect.</summary>
    /// <returns>The file path.</returns>
    public string GetTrustStoreFile() => TrustStoreFile ?? Path.Combine(HomeDirectory, "trusted-publishers.json");

    /// <summary>Gets the peer settings file in effect.</summary>
    /// <returns>The file path.</returns>
    public string GetPeerSettingsFile() => PeerSettingsFile ?? Path.Combine(HomeDirectory, "p2p.json");

    /// <summary>Gets the network secret file in effect.</summary>
    /// <returns>The file path.</returns>
    public string GetNetworkSecretFile() => NetworkSecretFile ?? Path.Combine(HomeDirectory, "p2p.secret");

    /// <summary>Gets the temporary folder in effect.</summary>
    /// <returns>The folder path.</returns>
    public string GetTempDirectory() => TempDirectory ?? Path.Combine(HomeDirectory, "tmp");

    /// <summary>Lists the settings that are out of range; empty when all are valid.</summary>
    /// <returns>One message per problem.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(HomeDirectory))
        {
            errors.Add("DistributionOptions.HomeDirectory must be set.");
        }

        if (DiscoveryTimeout <= TimeSpan.Zero || DiscoveryTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("DistributionOptions.DiscoveryTimeout must be between 0 and 1 minute.");
        }

        if (PeerChunkSize < 64 << 10)
        {
            errors.Add("DistributionOptions.PeerChunkSize must be at least 64 KiB.");
        }

        if (PeerClockSkew <= TimeSpan.Zero)
        {
            errors.Add("DistributionOptions.PeerClockSkew must be positive.");
        }

        return errors;
    }
}
