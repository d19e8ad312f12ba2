using System.Globalization;

namespace OffGrid.Cli.Commands;

/// <summary>
/// The one warning for a context beyond the one a model was trained on, which <c>show</c>, <c>run</c> and <c>bench</c>
/// give alike: llama.cpp runs such a context (it only logs a line), but the model's answers degrade past it.
/// </summary>
internal static class TrainedContext
{
    /// <summary>The warning's text, or <see langword="null"/> when <paramref name="tokens"/> fit in <paramref name="trained"/> (or it is unknown).</summary>
    /// <param name="context">What asked for the context, such as <c>--ctx 4096</c>.</param>
    /// <param name="tokens">The context asked for, in tokens.</param>
    /// <param name="trained">The model's trained context in tokens; 0 or <see langword="null"/> when the file does not say.</param>
    public static string? Warning(string context, long tokens, long? trained) =>
        trained is > 0 and { } limit && tokens > limit
            ? string.Create(CultureInfo.InvariantCulture, $"{context} is more than the {limit:N0} tokens the model was trained on; beyond them its answers degrade.")
            : null;
}
