namespace OffGrid.Hub.References;

/// <summary>
/// Models served by name that are not GGUF files on this machine, such as the models of remote engines (llama-server,
/// vLLM, Ollama, other OffGrid servers), so that <see cref="ModelResolver"/> — the one place that turns a name into a
/// model — lists and finds them beside local files. Register implementations in the service collection; the resolver
/// asks every source on each listing.
/// </summary>
/// <remarks>Implementations must be thread-safe and answer quickly (from a cached catalog, never a network round trip per call).</remarks>
public interface IModelSource
{
    /// <summary>Lists the models of this source.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>
    /// The models, each with <see cref="LocalModel.Source"/> <see cref="LocalModelSource.Remote"/> and a <see cref="LocalModel.Path"/>
    /// that names where it is served (not a file).
    /// </returns>
    ValueTask<IReadOnlyList<LocalModel>> ListAsync(CancellationToken cancellationToken);
}
