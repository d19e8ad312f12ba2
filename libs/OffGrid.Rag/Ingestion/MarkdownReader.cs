using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace OffGrid.Rag.Ingestion;

/// <summary>Reads Markdown with Markdig; headings become structure, other blocks keep their Markdown source so that lists, code and tables stay readable.</summary>
internal sealed class MarkdownReader : IDocumentReader
{
    private static readonly MarkdownPipeline s_pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseYamlFrontMatter().Build();

    public ContentFormat Format => ContentFormat.Markdown;

    public Task<ParsedDocument> ReadAsync(byte[] content, Uri? baseAddress, CancellationToken cancellationToken)
    {
        (string markdown, string encoding) = TextDecoder.Decode(content);
        markdown = markdown.ReplaceLineEndings("\n");
        MarkdownDocument document = Markdown.Parse(markdown, s_pipeline);
        var builder = new ParsedDocumentBuilder(Format);
        builder.SetMetadata("encoding", encoding);
        foreach (Block block in document)
        {
            switch (block)
            {
                case HeadingBlock heading:
                    string headingText = InlineText(heading.Inline);
                    builder.Title ??= heading.Level == 1 ? headingText : null;
                    builder.AddHeading(heading.Level, headingText);
                    break;
                case YamlFrontMatterBlock or ThematicBreakBlock or LinkReferenceDefinitionGroup or BlankLineBlock:
                    break;
                default:
                    builder.Add(KindOf(block), markdown.Substring(block.Span.Start, block.Span.Length));
                    break;
            }
        }

        return Task.FromResult(builder.Build());
    }

    private static BlockKind KindOf(Block block) => block switch
    {
        ListBlock => BlockKind.List,
        CodeBlock => BlockKind.Code,
        Table => BlockKind.Table,
        _ => BlockKind.Paragraph,
    };

    private static string InlineText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        foreach (Inline node in inline?.Descendants() ?? [])
        {
            switch (node)
            {
                case LiteralInline literal:
                    text.Append(literal.Content);
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case LineBreakInline:
                    text.Append(' ');
                    break;
            }
        }

        return text.ToString().Trim();
    }
}
