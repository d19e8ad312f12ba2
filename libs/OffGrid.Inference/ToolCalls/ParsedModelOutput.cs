using System.Text;
using Microsoft.Extensions.AI;

namespace OffGrid.Inference.ToolCalls;

/// <summary>A complete model output split into answer text, reasoning and tool calls.</summary>
/// <param name="Text">The answer text, trimmed; empty when there is none.</param>
/// <param name="Reasoning">The reasoning (thinking) text, trimmed; empty when there is none.</param>
/// <param name="ToolCalls">The tool calls in the order they were written.</param>
internal sealed record ParsedModelOutput(string Text, string Reasoning, IReadOnlyList<FunctionCallContent> ToolCalls)
{
    /// <summary>Joins the pieces a <see cref="StreamingToolCallParser"/> produced.</summary>
    public static ParsedModelOutput FromContents(IEnumerable<AIContent> contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new List<FunctionCallContent>();
        foreach (AIContent content in contents)
        {
            switch (content)
            {
                case TextContent t: text.Append(t.Text); break;
                case TextReasoningContent r: reasoning.Append(r.Text); break;
                case FunctionCallContent c: calls.Add(c); break;
            }
        }

        return new ParsedModelOutput(text.ToString(), reasoning.ToString(), calls);
    }

    /// <summary>The contents for a <see cref="ChatMessage"/>: reasoning, then text, then the calls (empty parts left out).</summary>
    public IList<AIContent> ToContents()
    {
        var contents = new List<AIContent>();
        if (Reasoning.Length > 0)
        {
            contents.Add(new TextReasoningContent(Reasoning));
        }

        if (Text.Length > 0)
        {
            contents.Add(new TextContent(Text));
        }

        contents.AddRange(ToolCalls);
        return contents;
    }
}
