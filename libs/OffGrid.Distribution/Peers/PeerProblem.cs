namespace OffGrid.Distribution.Peers;

/// <summary>Why peer-to-peer work could not be done.</summary>
public enum PeerProblem
{
    /// <summary>The request itself is malformed: a secret too short, an address that is not one, a port out of range.</summary>
    InvalidInput,

    /// <summary>This machine is not set up for it: no network secret, sharing off, damaged settings.</summary>
    NotConfigured,

    /// <summary>No peer by that name, id or address answered with this network's secret.</summary>
    UnknownPeer,

    /// <summary>The peer answered, but not for this network: sharing is off there, or it has another secret.</summary>
    NotSharing,

    /// <summary>The peer could not be reached, did not answer in time, or answered something that is not the peer protocol.</summary>
    Unreachable,

    /// <summary>No peer shares the model.</summary>
    ModelNotShared,

    /// <summary>The model's signature does not verify, or its key was revoked here.</summary>
    UntrustedModel,
}
