using OffGrid.Hub.Store;

namespace OffGrid.Distribution.Peers;

/// <summary>The outcome of a download from peers (<see cref="PeerNetwork"/>).</summary>
/// <param name="Model">The model now in the store.</param>
/// <param name="BytesByPeer">The bytes each peer delivered (by peer name); empty when the model was already stored.</param>
/// <param name="Signature">What the model's signature proved.</param>
public sealed record PeerDownloadResult(ModelManifest Model, IReadOnlyDictionary<string, long> BytesByPeer, PeerModelSignature Signature);
