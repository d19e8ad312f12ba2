namespace OffGrid.Inference.Tests.Templates;

/// <summary>Where two rendered prompts part, for test reports.</summary>
internal static class PromptDiff
{
    /// <summary>The offset of the first difference with a short excerpt of each side there.</summary>
    public static string FirstDifference(string ours, string theirs, string theirName)
    {
        int i = 0;
        while (i < ours.Length && i < theirs.Length && ours[i] == theirs[i])
        {
            i++;
        }

        static string Excerpt(string s, int at) => s.Substring(at, Math.Min(60, s.Length - at)).ReplaceLineEndings("\\n");
        return $"at {i}: ours \"{Excerpt(ours, i)}\" vs {theirName} \"{Excerpt(theirs, i)}\"";
    }
}
