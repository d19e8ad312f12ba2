namespace OffGrid.Cli.Commands;

/// <summary>
/// A command line that parsed but whose values do not fit together or with what they name (a <c>--tool-choice</c> that is not
/// one of the <c>--tools</c>), found when the command runs: reported like a parse error, one line and exit code 2.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
