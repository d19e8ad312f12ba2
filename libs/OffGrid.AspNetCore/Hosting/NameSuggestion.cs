using F23.StringSimilarity;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// The "did you mean" of OffGrid's command lines and settings (<c>offgrid rnu</c>, <c>--prot</c>, <c>Server:Prot</c>): the known
/// name closest to one a user misspelled, by optimal string alignment (insertions, deletions, substitutions and swaps of
/// neighbours, so <c>rnu</c> → <c>run</c> is 1), ignoring case.
/// </summary>
/// <remarks>
/// A name is close when at most a third of its letters differ (at least one; the leading dashes of an option are not counted),
/// so that a short name is not suggested for any short mistake. Stateless and thread-safe.
/// </remarks>
public static class NameSuggestion
{
    private static readonly OptimalStringAlignment s_distance = new();

    /// <summary>The name of <paramref name="names"/> closest to <paramref name="written"/>, if one is close.</summary>
    /// <param name="written">What the user wrote, such as <c>--prot</c>.</param>
    /// <param name="names">The known names, such as <c>--port</c> and <c>--host</c>; of two equally close, the first.</param>
    /// <returns>The name as given in <paramref name="names"/>, or <see langword="null"/> when none is close.</returns>
    public static string? For(string written, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(names);
        string typed = written.ToLowerInvariant();
        return names
            .Select(name => (Name: name, Distance: s_distance.Distance(typed, name.ToLowerInvariant())))
            .Where(candidate => candidate.Distance <= Math.Max(1, candidate.Name.TrimStart('-').Length / 3))
            .OrderBy(candidate => candidate.Distance)
            .Select(candidate => candidate.Name)
            .FirstOrDefault();
    }
}
