using System.CommandLine;
using System.Globalization;
using OffGrid.Cli.Knowledge;
using OffGrid.Cli.Output;
using OffGrid.Hub.References;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid kb</c>: knowledge collections on this machine (create, list, rm, add, search).</summary>
internal sealed class KnowledgeCommand : Command
{
    /// <summary>Creates the command and its subcommands.</summary>
    public KnowledgeCommand(CliConsole console, KnowledgeServices knowledge)
        : base("kb", CommandHelp.Describe(
            "Knowledge collections: documents (PDF, DOCX, HTML, Markdown, text, web pages) searchable by meaning and keywords, for answers with citations " +
            "(offgrid run <model> --kb <name>). Collections live in OFFGRID_HOME/knowledge and are shared with 'offgrid serve'.",
            "offgrid kb create docs --embedding-model nomic-embed-text",
            "offgrid kb add docs ./manuals https://intranet/faq.html",
            "offgrid kb search docs \"how do I reset the pump?\"",
            "offgrid run llama3.2 --kb docs \"How do I reset the pump?\"",
            "offgrid kb nodes add docs http://10.0.0.5:11611/ --api-key og-..."))
    {
        Aliases.Add("knowledge");
        Add(Create(console, knowledge));
        Add(List(console, knowledge));
        Add(Remove(console, knowledge));
        Add(AddDocuments(console, knowledge));
        Add(Search(console, knowledge));
        Add(Nodes(console, knowledge));
    }

    private static Command Create(CliConsole console, KnowledgeServices knowledge)
    {
        var name = new Argument<string>("name") { Description = "Lower-case letters, digits, '.', '_' and '-'." }.RejectingOptions();
        var model = new Option<string>("--embedding-model", "-m") { Description = "The embedding model: an alias, a stored model or a .gguf path.", Required = true };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "The largest chunk, in tokens (default: tuned per document)." }.Between(1);
        var overlap = new Option<int?>("--overlap") { Description = "Tokens shared by consecutive chunks (default: tuned per document)." }.Between(0);
        var description = new Option<string?>("--description") { Description = "A note shown by 'offgrid kb list'." };
        var command = new Command("create", CommandHelp.Describe(
            "Create a knowledge collection with the embedding model its vectors are made with.",
            "offgrid kb create docs --embedding-model nomic-embed-text",
            "offgrid kb create faq -m ./models/bge-small.gguf --max-tokens 256 --overlap 0")) { name, model, maxTokens, overlap, description };
        command.SetAction(async (parse, cancellationToken) =>
        {
            CollectionInfo created = await knowledge.Collections.CreateAsync(
                new CollectionDefinition
                {
                    Name = parse.GetRequiredValue(name),
                    EmbeddingModel = Stored(parse.GetRequiredValue(model)),
                    ChunkMaxTokens = parse.GetValue(maxTokens),
                    ChunkOverlapTokens = parse.GetValue(overlap),
                    Description = parse.GetValue(description),
                },
                cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"Created [green]{created.Definition.Name}[/] (embedding model {created.Definition.EmbeddingModel}).");
            console.Error.MarkupLineInterpolated($"[grey]Add documents with: offgrid kb add {created.Definition.Name} <files|folders|urls>[/]");
            return 0;
        });
        return command;
    }

    private static Command List(CliConsole console, KnowledgeServices knowledge)
    {
        var json = new Option<bool>("--json") { Description = "Write the list as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the knowledge collections.", "offgrid kb list", "offgrid kb list --json")) { json };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<CollectionInfo> collections = await knowledge.Collections.ListAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(collections.Select(c => new
                {
                    c.Definition.Name,
                    c.Definition.EmbeddingModel,
                    c.Definition.Description,
                    c.Statistics.Documents,
                    c.Statistics.Chunks,
                    Bytes = c.Statistics.ContentBytes,
                    c.CreatedAt,
                }));
                return 0;
            }

            if (collections.Count == 0)
            {
                console.Out.MarkupLine("No knowledge collections yet; create one with: offgrid kb create <name> --embedding-model <model>");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("Embedding model")
                .AddColumn("Documents", c => c.RightAligned()).AddColumn("Chunks", c => c.RightAligned()).AddColumn("Size", c => c.RightAligned());
            foreach (CollectionInfo c in collections)
            {
                table.AddRow(Markup.Escape(c.Definition.Name), Markup.Escape(c.Definition.EmbeddingModel), c.Statistics.Documents.ToString(CultureInfo.InvariantCulture),
                    c.Statistics.Chunks.ToString(CultureInfo.InvariantCulture), ByteSize.Format(c.Statistics.ContentBytes));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Remove(CliConsole console, KnowledgeServices knowledge)
    {
        var names = new Argument<string[]>("name") { Description = "The collections to delete, with their documents.", Arity = ArgumentArity.OneOrMore }.RejectingOptions();
        var command = new Command("rm", CommandHelp.Describe("Delete knowledge collections and their documents.", "offgrid kb rm docs")) { names };
        command.Aliases.Add("remove");
        command.SetAction(async (parse, cancellationToken) =>
        {
            foreach (string name in parse.GetRequiredValue(names))
            {
                await knowledge.Collections.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
                console.Out.MarkupLineInterpolated($"Removed {name}.");
            }

            return 0;
        });
        return command;
    }

    private static Command AddDocuments(CliConsole console, KnowledgeServices knowledge)
    {
        var name = new Argument<string>("name") { Description = "The collection." }.RejectingOptions();
        var inputs = new Argument<string[]>("source") { Description = "Files, folders (walked for supported files) and http(s) URLs.", Arity = ArgumentArity.OneOrMore }.RejectingOptions();
        var force = new Option<bool>("--force") { Description = "Ingest unchanged documents again." };
        Option<int?> threads = ThreadsOption.Create("the embedding model");
        var command = new Command("add", CommandHelp.Describe(
            "Add documents to a collection: read and parsed on all cores, embedded in batches, each stored as it finishes. " +
            "Unchanged files are skipped by content hash, so an interrupted run resumes where it stopped.",
            "offgrid kb add docs ./manuals",
            "offgrid kb add docs guide.pdf notes.md https://intranet/faq.html")) { name, inputs, force, threads };
        command.SetAction(async (parse, cancellationToken) =>
        {
            knowledge.Threads = ThreadsOption.Read(parse, threads, console);
            string collection = parse.GetRequiredValue(name);
            (List<DocumentSource> sources, int skipped) = DocumentSources.Expand(parse.GetRequiredValue(inputs));
            if (skipped > 0)
            {
                console.Error.MarkupLineInterpolated($"[grey]Skipping {skipped} file(s) of unsupported types (supported: {string.Join(' ', ContentFormats.Extensions)}).[/]");
            }

            if (sources.Count == 0)
            {
                throw new FileNotFoundException("No supported documents were found.");
            }

            IngestionJob job = await knowledge.Collections.StartIngestionAsync(collection, sources, parse.GetValue(force), cancellationToken).ConfigureAwait(false);
            using CancellationTokenRegistration stop = cancellationToken.Register(job.Cancel);
            await IngestionProgressDisplay.ShowAsync(console.Error, job).ConfigureAwait(false);
            return ReportIngestion(console, job);
        });
        return command;
    }

    private static int ReportIngestion(CliConsole console, IngestionJob job)
    {
        IngestionJobProgress progress = job.GetProgress();
        IReadOnlyList<IngestionResult> results = job.Results;
        int Count(IngestionStatus status) => results.Count(r => r.Status == status);
        double seconds = Math.Max(progress.Elapsed.TotalSeconds, 1e-3);
        console.Out.WriteLine(
            $"{job.Collection}: {Count(IngestionStatus.Added)} added, {Count(IngestionStatus.Updated)} updated, {Count(IngestionStatus.Unchanged)} unchanged, {Count(IngestionStatus.Failed)} failed; " +
            $"{progress.Chunks} chunks, {ByteSize.Format(progress.BytesCompleted)} in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s ({(results.Count / seconds).ToString("0.0", CultureInfo.InvariantCulture)} documents/s).");
        foreach (IngestionResult failed in results.Where(r => r.Status == IngestionStatus.Failed))
        {
            console.Error.MarkupLineInterpolated($"[red]failed[/] {failed.Source}: {failed.Error}");
        }

        if (job.Status == IngestionJobStatus.Cancelled)
        {
            throw new OperationCanceledException($"Cancelled after {results.Count} of {job.DocumentsTotal} documents; they are kept, and running the same command again continues with the rest.");
        }

        if (job.Status == IngestionJobStatus.Failed)
        {
            throw new InvalidOperationException(job.Error);
        }

        return Count(IngestionStatus.Failed) > 0 ? FailureReporter.Failed : 0;
    }

    private static Command Search(CliConsole console, KnowledgeServices knowledge)
    {
        var name = new Argument<string>("name") { Description = "The collection (several: a,b)." }.RejectingOptions();
        var query = new Argument<string[]>("query") { Description = "What to look for.", Arity = ArgumentArity.OneOrMore }.RejectingOptions();
        var top = new Option<int>("--top", "-k") { Description = "How many results, 1 to 100.", DefaultValueFactory = _ => 5 }.Between(1, 100);
        var alpha = new Option<double>("--alpha") { Description = "Weight of meaning against keywords, 0 to 1.", DefaultValueFactory = _ => 0.5 }.Between(0d, 1d);
        var rrf = new Option<bool>("--rrf") { Description = "Fuse by reciprocal rank instead of weighted scores." };
        var json = new Option<bool>("--json") { Description = "Write the results as JSON." };
        Option<int?> threads = ThreadsOption.Create("the embedding model");
        var command = new Command("search", CommandHelp.Describe(
            "Search a collection by meaning and keywords; every result cites its document, page and section.",
            "offgrid kb search docs \"how do I reset the pump?\"",
            "offgrid kb search docs,faq pump reset --top 3 --json")) { name, query, top, alpha, rrf, json, threads };
        command.SetAction(async (parse, cancellationToken) =>
        {
            knowledge.Threads = ThreadsOption.Read(parse, threads, console);
            string[] collections = parse.GetRequiredValue(name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new SearchOptions
            {
                Top = parse.GetValue(top),
                Alpha = parse.GetValue(alpha),
                Fusion = parse.GetValue(rrf) ? FusionMethod.ReciprocalRank : FusionMethod.WeightedScores,
            };
            KnowledgeSearchResult result = await knowledge.Search.SearchAsync(collections, string.Join(' ', parse.GetRequiredValue(query)), options, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SearchHit> hits = result.Hits;
            foreach (NodeSearchStatus failed in result.Nodes.Where(n => n.Error is not null))
            {
                console.Error.MarkupLineInterpolated($"[yellow]partial:[/] node {failed.Node} ({failed.Url}) is missing: {failed.Error}");
            }

            if (parse.GetValue(json))
            {
                console.WriteJson(new
                {
                    Hits = hits.Select((h, i) => new { Index = i + 1, Score = h.Scores.Fused, h.Citation, h.Text }),
                    result.Partial,
                    Nodes = result.Nodes.Select(n => new { n.Node, n.Url, n.Collection, n.Hits, ElapsedMs = Math.Round(n.Elapsed.TotalMilliseconds, 1), n.Error }),
                });
                return 0;
            }

            if (hits.Count == 0)
            {
                console.Out.MarkupLine("No results.");
            }

            for (int i = 0; i < hits.Count; i++)
            {
                console.Out.MarkupLineInterpolated($"[bold][[{i + 1}]][/] {SourceLine.Describe(hits[i].Citation)} [grey]score {hits[i].Scores.Fused:0.000}[/]");
                console.Out.MarkupLineInterpolated($"    {hits[i].Citation.Snippet}");
            }

            return 0;
        });
        return command;
    }

    private static Command Nodes(CliConsole console, KnowledgeServices knowledge)
    {
        var command = new Command("nodes", CommandHelp.Describe(
            "Remote OffGrid servers searched together with a collection: a search asks each node's /v1/knowledge/search with its API key, " +
            "merges the rankings by reciprocal-rank fusion (k = 60) and reports a node that fails or misses the deadline as a partial result.",
            "offgrid kb nodes add docs http://10.0.0.5:11611/ --api-key og-...",
            "offgrid kb nodes list docs",
            "offgrid kb nodes rm docs 10.0.0.5-11611"));
        command.Add(AddNode(console, knowledge));
        command.Add(ListNodes(console, knowledge));
        command.Add(RemoveNode(console, knowledge));
        return command;
    }

    private static Command AddNode(CliConsole console, KnowledgeServices knowledge)
    {
        var collection = new Argument<string>("collection") { Description = "The local collection." }.RejectingOptions();
        var url = new Argument<string>("url") { Description = "The node's root URL, such as http://10.0.0.5:11611/." }.RejectingOptions();
        var nodeName = new Option<string?>("--name") { Description = "The node's name in citations (default: host-port)." };
        var remote = new Option<string?>("--collection") { Description = "The collection on the node (default: the same name)." };
        var apiKey = new Option<string?>("--api-key") { Description = "The node's API key; the node applies its own permissions to it." };
        var weight = new Option<double>("--weight") { Description = "The weight of the node's ranking in the fusion, 0.01 to 100 (the local one weighs 1).", DefaultValueFactory = _ => 1 }.Between(0.01, 100d);
        var command = new Command("add", CommandHelp.Describe(
            "Include a remote OffGrid server's collection in this collection's searches (a node of the same name is replaced).",
            "offgrid kb nodes add docs http://10.0.0.5:11611/ --name plant-b --collection manuals --api-key og-...")) { collection, url, nodeName, remote, apiKey, weight };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string local = parse.GetRequiredValue(collection);
            string text = parse.GetRequiredValue(url);
            Uri address = Uri.TryCreate(text, UriKind.Absolute, out Uri? parsed)
                ? parsed
                : throw new InvalidKnowledgeRequestException($"'{text}' is not an absolute http or https URL.", "url");
            var node = new KnowledgeNode
            {
                Name = parse.GetValue(nodeName) ?? KnowledgeNode.NameFor(address),
                Url = address,
                Collection = parse.GetValue(remote) ?? local,
                ApiKey = parse.GetValue(apiKey),
                Weight = parse.GetValue(weight),
            };
            await knowledge.Collections.SetNodeAsync(local, node, cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"{local} now includes node [green]{node.Name}[/] ({node.Url.AbsoluteUri}, collection {node.Collection}).");
            return 0;
        });
        return command;
    }

    private static Command ListNodes(CliConsole console, KnowledgeServices knowledge)
    {
        var collection = new Argument<string>("collection") { Description = "The local collection." }.RejectingOptions();
        var json = new Option<bool>("--json") { Description = "Write the list as JSON." };
        var command = new Command("list", CommandHelp.Describe("List the remote nodes a collection includes.", "offgrid kb nodes list docs")) { collection, json };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<KnowledgeNode> nodes = await knowledge.Collections.GetNodesAsync(parse.GetRequiredValue(collection), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.WriteJson(nodes.Select(n => new { n.Name, Url = n.Url.AbsoluteUri, n.Collection, n.Weight, HasApiKey = !string.IsNullOrEmpty(n.ApiKey) }));
                return 0;
            }

            if (nodes.Count == 0)
            {
                console.Out.MarkupLine("No nodes; add one with: offgrid kb nodes add <collection> <url>");
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Name").AddColumn("URL").AddColumn("Collection").AddColumn("Weight", c => c.RightAligned()).AddColumn("API key");
            foreach (KnowledgeNode n in nodes)
            {
                table.AddRow(Markup.Escape(n.Name), Markup.Escape(n.Url.AbsoluteUri), Markup.Escape(n.Collection), n.Weight.ToString(CultureInfo.InvariantCulture), string.IsNullOrEmpty(n.ApiKey) ? "no" : "yes");
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }

    private static Command RemoveNode(CliConsole console, KnowledgeServices knowledge)
    {
        var collection = new Argument<string>("collection") { Description = "The local collection." }.RejectingOptions();
        var nodeName = new Argument<string>("node") { Description = "The node's name." }.RejectingOptions();
        var command = new Command("rm", CommandHelp.Describe("Stop including a remote node in a collection's searches.", "offgrid kb nodes rm docs plant-b")) { collection, nodeName };
        command.Aliases.Add("remove");
        command.SetAction(async (parse, cancellationToken) =>
        {
            string node = parse.GetRequiredValue(nodeName);
            await knowledge.Collections.RemoveNodeAsync(parse.GetRequiredValue(collection), node, cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"Removed node {node}.");
            return 0;
        });
        return command;
    }

    /// <summary>A path is kept whole, so that the server, started from another folder, finds the same file.</summary>
    private static string Stored(string model) =>
        ModelReference.TryParse(model, out ModelReference? reference) && reference.LocalPath is { } path ? path : model;
}
