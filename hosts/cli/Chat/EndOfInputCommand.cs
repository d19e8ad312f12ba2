using RadLine;

namespace OffGrid.Cli.Chat;

/// <summary>Ctrl+D as in a shell: on an empty line it ends the input; otherwise it deletes the character under the cursor.</summary>
internal sealed class EndOfInputCommand : LineEditorCommand
{
    /// <inheritdoc/>
    public override void Execute(LineEditorContext context)
    {
        if (context.Buffer.Length == 0)
        {
            context.Submit(SubmitAction.Cancel);
        }
        else
        {
            new DeleteCommand().Execute(context);
        }
    }
}
