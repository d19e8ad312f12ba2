using OffGrid.Hub.References;

namespace OffGrid.Cli.Models;

/// <summary>Finds the GGUF file a user means: a path to a .gguf file, or a model in the local store.</summary>
internal sealed class ModelLocator
{
    /// <summary>Returns the full path of the model's primary .gguf file.</summary>
    /// <exception cref="FileNotFoundException">A path was given and no file is there.</exception>
    /// <exception cref="KeyNotFoundException">The name is not a known model.</exception>
    public Task<string> LocateAsync(string model, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ModelReference reference = ModelReference.Parse(model);
        if (reference.Kind == ModelReferenceKind.LocalFile || model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            string path = reference.LocalPath ?? Path.GetFullPath(model);
            return File.Exists(path)
                ? Task.FromResult(path)
                : throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        throw new KeyNotFoundException($"Unknown model '{model}'.");
    }
}
