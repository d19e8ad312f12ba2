using System.Diagnostics;
using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using OffGrid.Inference.Embeddings;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Rag.Ingestion;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace OffGrid.Rag.Bench;

/// <summary>
/// Bulk ingestion of mixed documents (txt, md, html, pdf, docx in equal parts, 2–4 KB of text each) with stories260K as the
/// embedding model in process: documents/s of the whole pipeline beside the cost of one file ingested on its own.
/// </summary>
internal static class MixedIngestBench
{
    private static readonly string[] s_formats = ["txt", "md", "html", "pdf", "docx"];

    public static async Task RunAsync(string work, string model, int documents, List<string> rows)
    {
        string folder = Path.Combine(work, "mixed");
        Directory.CreateDirectory(folder);
        string[] files = [.. Enumerable.Range(0, documents).Select(i => Write(folder, i))];
        long bytes = files.Sum(f => new FileInfo(f).Length);

        await LlamaRuntime.LoadAsync();
        using LlamaModel embeddingModel = await LlamaModel.LoadAsync(model);
        // One llama.cpp thread: its worker threads spin at barriers, which on two shared cores costs more than it gains,
        // and the other core parses documents meanwhile.
        using var embeddings = new LlamaEmbeddingGenerator(embeddingModel, new LlamaEmbeddingGeneratorOptions { Threads = 1 });

        // One file at a time, each in its own call: what a one-file-per-request tool pays per document.
        int single = Math.Min(25, documents);
        using (var kb = new KnowledgeBase(new RagOptions { DatabasePath = Path.Combine(work, "single.db"), VectorSearch = Storage.VectorSearchMode.Exact, IngestionParallelism = 1 }, embeddings))
        {
            var stopwatch = Stopwatch.StartNew();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (string file in files.Take(single))
            {
                await kb.IngestAsync(DocumentSource.FromFile(file));
            }

            double perFile = stopwatch.Elapsed.TotalMilliseconds / single;
            double cpuPerFile = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / single;
            rows.Add($"| one file per call, sequential | {single} files | {perFile:F0} ms per file ({1000 / perFile:F1} documents/s) | {cpuPerFile:F0} ms CPU per file; parse + chunk + embed + store, nothing shared between files |");
        }

        using (var kb = new KnowledgeBase(new RagOptions { DatabasePath = Path.Combine(work, "bulk.db"), VectorSearch = Storage.VectorSearchMode.Exact }, embeddings))
        {
            var stopwatch = Stopwatch.StartNew();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            IReadOnlyList<IngestionResult> results = await kb.IngestAsync(files.Select(DocumentSource.FromFile));
            double seconds = stopwatch.Elapsed.TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            int failed = results.Count(r => r.Status == IngestionStatus.Failed);
            int chunks = results.Sum(r => r.ChunkCount);
            rows.Add($"| bulk batch, parallel parse + cross-document embedding batches | {documents:N0} files ({bytes / 1048576.0:F1} MiB, {chunks:N0} chunks) | {documents / seconds:F1} documents/s ({seconds * 1000 / documents:F0} ms per file) | {seconds:F1} s total, {cpu:F1} s CPU ({cpu * 1000 / documents:F0} ms CPU per file), {failed} failed, {Environment.ProcessorCount} cores |");

            stopwatch.Restart();
            IReadOnlyList<IngestionResult> again = await kb.IngestAsync(files.Select(DocumentSource.FromFile));
            rows.Add($"| same batch again (unchanged, skipped by SHA-256) | {documents:N0} files | {documents / stopwatch.Elapsed.TotalSeconds:F0} documents/s | {again.Count(r => r.Status == IngestionStatus.Unchanged)} unchanged |");
        }
    }

    private static string Write(string folder, int index)
    {
        string format = s_formats[index % s_formats.Length];
        var random = new Random(index);
        string[] paragraphs = [.. Enumerable.Range(0, 6 + random.Next(6)).Select(_ => Sentence(random))];
        string path = Path.Combine(folder, $"doc{index:0000}.{format}");
        switch (format)
        {
            case "txt":
                File.WriteAllText(path, string.Join("\n\n", paragraphs));
                break;
            case "md":
                File.WriteAllText(path, $"# Document {index}\n\n" + string.Join("\n\n", paragraphs.Select((p, i) => i % 3 == 0 ? $"## Part {i}\n\n{p}" : p)));
                break;
            case "html":
                File.WriteAllText(path, $"<html><head><title>Document {index}</title></head><body><h1>Document {index}</h1>" + string.Concat(paragraphs.Select(p => $"<p>{p}</p>")) + "</body></html>");
                break;
            case "pdf":
                File.WriteAllBytes(path, Pdf(paragraphs));
                break;
            default:
                File.WriteAllBytes(path, Docx(index, paragraphs));
                break;
        }

        return path;
    }

    private static string Sentence(Random random) =>
        string.Join(' ', Enumerable.Range(0, 40 + random.Next(40)).Select(_ => s_words[random.Next(s_words.Length)])) + ".";

    private static readonly string[] s_words =
        "the a little girl boy dog cat park ball tree sun happy sad big small red blue green went saw played ran jumped found said mom dad friend house garden water flower bird sky day night".Split(' ');

    private static byte[] Pdf(string[] paragraphs)
    {
        var builder = new PdfDocumentBuilder();
        PdfDocumentBuilder.AddedFont font = builder.AddStandard14Font(Standard14Font.Helvetica);
        PdfPageBuilder page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        double y = 780;
        foreach (string paragraph in paragraphs)
        {
            foreach (string line in Wrap(paragraph, 90))
            {
                if (y < 60)
                {
                    page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
                    y = 780;
                }

                page.AddText(line, 10, new UglyToad.PdfPig.Core.PdfPoint(50, y), font);
                y -= 13;
            }

            y -= 20;
        }

        return builder.Build();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' '))
        {
            if (line.Length + word.Length + 1 > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static byte[] Docx(int index, string[] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            MainDocumentPart main = document.AddMainDocumentPart();
            var body = new Body(new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Heading1" }), new Run(new Text($"Document {index}"))));
            foreach (string paragraph in paragraphs)
            {
                body.AppendChild(new Paragraph(new Run(new Text(paragraph))));
            }

            main.Document = new Document(body);
            main.Document.Save();
        }

        return stream.ToArray();
    }
}
