namespace OffGrid.Inference.Engine.Speculation;

/// <summary>Guesses the tokens that follow a sequence; the engine verifies every guess on the target model.</summary>
/// <remarks>Called only from the engine's worker thread. A drafter that holds native state is <see cref="IDisposable"/>.</remarks>
internal interface ITokenDrafter
{
    /// <summary>Writes up to <paramref name="destination"/>'s length of tokens predicted to follow; returns how many.</summary>
    /// <param name="sequenceId">The engine's sequence slot (a drafter may keep state per slot).</param>
    /// <param name="history">The tokens the target has evaluated for the sequence.</param>
    /// <param name="last">The sampled token that comes after <paramref name="history"/> and is not evaluated yet.</param>
    /// <param name="destination">Receives the draft.</param>
    int Draft(int sequenceId, IReadOnlyList<int> history, int last, Span<int> destination);
}
