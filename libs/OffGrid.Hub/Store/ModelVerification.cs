namespace OffGrid.Hub.Store;

/// <summary>The result of checking a stored model against its manifest.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Problems">What is wrong; empty when the model is intact.</param>
public sealed record ModelVerification(string Name, IReadOnlyList<string> Problems)
{
    /// <summary>Gets a value indicating whether every file is present with the recorded size and SHA-256 and the header reads.</summary>
    public bool IsValid => Problems.Count == 0;
}
