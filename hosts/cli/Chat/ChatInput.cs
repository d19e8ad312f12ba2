namespace OffGrid.Cli.Chat;

/// <summary>One input of an interactive chat.</summary>
/// <param name="Text">The message, or the command line without interpretation.</param>
/// <param name="IsCommand">Whether the input is a chat command such as <c>/clear</c>.</param>
internal sealed record ChatInput(string Text, bool IsCommand);
