namespace OffGrid.AspNetCore.Backends;

/// <summary>A backend in a model's pool, with its own name for the model.</summary>
/// <param name="Backend">The backend.</param>
/// <param name="RemoteModel">The backend's name for the model.</param>
internal sealed record PoolMember(BackendState Backend, string RemoteModel);
