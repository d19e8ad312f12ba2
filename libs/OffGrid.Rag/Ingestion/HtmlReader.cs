using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace OffGrid.Rag.Ingestion;

/// <summary>
/// Reads HTML with AngleSharp: keeps the readable text with headings, lists, code and tables as structure, records links in the
/// metadata, and drops scripts, styles, navigation and other page furniture.
/// </summary>
internal sealed partial class HtmlReader : IDocumentReader
{
    private const int MaxLinks = 200;

    // Page furniture that is not part of the readable content.
    private const string RemovedSelector = "script, style, noscript, template, nav, svg, iframe, form, footer, aside, [role=navigation], [aria-hidden=true]";

    private static readonly HashSet<string> s_paragraphTags = new(StringComparer.OrdinalIgnoreCase) { "p", "blockquote", "figcaption", "dt", "dd", "address", "caption", "summary" };

    public ContentFormat Format => ContentFormat.Html;

    public Task<ParsedDocument> ReadAsync(byte[] content, Uri? baseAddress, CancellationToken cancellationToken)
    {
        (string html, string encoding) = TextDecoder.Decode(content);
        using IDocument document = new HtmlParser().ParseDocument(html);
        foreach (IElement removed in document.QuerySelectorAll(RemovedSelector).ToArray())
        {
            removed.Remove();
        }

        var builder = new ParsedDocumentBuilder(Format);
        builder.SetMetadata("encoding", encoding);
        var walker = new Walker(builder);
        walker.Visit(document.Body ?? document.DocumentElement);
        walker.FlushInline();

        string? title = Normalize(document.Title ?? string.Empty);
        builder.Title = title.Length > 0 ? title : walker.FirstHeading;
        List<Dictionary<string, string>> links = Links(document, baseAddress);
        if (links.Count > 0)
        {
            builder.SetMetadata("links", links);
        }

        return Task.FromResult(builder.Build());
    }

    private static List<Dictionary<string, string>> Links(IDocument document, Uri? baseAddress)
    {
        var links = new List<Dictionary<string, string>>();
        foreach (IElement anchor in document.QuerySelectorAll("a[href]"))
        {
            string href = anchor.GetAttribute("href")!.Trim();
            if (href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (baseAddress is not null && Uri.TryCreate(baseAddress, href, out Uri? absolute))
            {
                href = absolute.AbsoluteUri;
            }

            links.Add(new Dictionary<string, string>(StringComparer.Ordinal) { ["text"] = Normalize(anchor.TextContent), ["href"] = href });
            if (links.Count == MaxLinks)
            {
                break;
            }
        }

        return links;
    }

    private static string Normalize(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Walks the element tree, turning block elements into blocks and runs of inline content into paragraphs.</summary>
    private sealed class Walker(ParsedDocumentBuilder builder)
    {
        private readonly StringBuilder _inline = new();

        public string? FirstHeading { get; private set; }

        public void Visit(INode node)
        {
            foreach (INode child in node.ChildNodes)
            {
                if (child is IText text)
                {
                    _inline.Append(text.Data);
                }
                else if (child is IElement element)
                {
                    VisitElement(element);
                }
            }
        }

        public void FlushInline()
        {
            builder.Add(BlockKind.Paragraph, Normalize(_inline.ToString()));
            _inline.Clear();
        }

        private void VisitElement(IElement element)
        {
            string tag = element.LocalName;
            if (tag.Length == 2 && tag[0] == 'h' && tag[1] is >= '1' and <= '6')
            {
                FlushInline();
                string heading = Normalize(element.TextContent);
                FirstHeading ??= heading.Length > 0 ? heading : null;
                builder.AddHeading(tag[1] - '0', heading);
            }
            else if (s_paragraphTags.Contains(tag))
            {
                FlushInline();
                builder.Add(BlockKind.Paragraph, Normalize(element.TextContent));
            }
            else if (tag is "ul" or "ol")
            {
                FlushInline();
                IEnumerable<string> items = element.Children.Where(c => c.LocalName == "li").Select(li => "- " + Normalize(li.TextContent));
                builder.Add(BlockKind.List, string.Join('\n', items));
            }
            else if (tag == "pre")
            {
                FlushInline();
                builder.Add(BlockKind.Code, element.TextContent);
            }
            else if (tag == "table")
            {
                FlushInline();
                IEnumerable<string> rows = element.QuerySelectorAll("tr").Select(row => string.Join(" | ", row.Children.Select(cell => Normalize(cell.TextContent))));
                builder.Add(BlockKind.Table, string.Join('\n', rows));
            }
            else if (tag == "br")
            {
                _inline.Append('\n');
            }
            else
            {
                // Containers (div, section, article, main) and inline elements (a, span, em): their text flows on.
                bool isBlockContainer = tag is "div" or "section" or "article" or "main" or "header" or "body" or "li" or "dl" or "figure" or "details";
                if (isBlockContainer)
                {
                    FlushInline();
                }

                Visit(element);
                if (isBlockContainer)
                {
                    FlushInline();
                }
            }
        }
    }
}
