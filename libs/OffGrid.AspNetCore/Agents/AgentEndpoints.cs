using OffGrid.Agents;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.AspNetCore.Governance;
using OffGrid.AspNetCore.Http;
using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Models;
using OffGrid.Governance.Quotas;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.Agents;

/// <summary>
/// The agents API: templates (<c>GET|POST /</c> (<c>?replace=true</c> to replace one), <c>GET|DELETE /{name}</c>, bodies in the template file's shape) and runs
/// (<c>POST runs</c> to start, with <c>"stream":true</c> for server-sent step events; <c>GET runs</c>, <c>GET runs/{id}</c> with the
/// transcript, <c>GET runs/{id}/events</c>, <c>POST runs/{id}/cancel</c>, <c>POST runs/{id}/resume</c>).
/// </summary>
internal static class AgentEndpoints
{
    /// <summary>The header that names the run of a streamed <c>POST runs</c> before its first step.</summary>
    public const string RunIdHeader = "OffGrid-Run-Id";

    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(2);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet(string.Empty, ListAsync);
        // Templates name tools (shell tools among them), so changing them is for administrators, like tool definitions.
        group.MapPost(string.Empty, SaveAsync).WithMetadata(RequiredRole.Admin);
        group.MapGet("/runs", ListRuns);
        group.MapPost("/runs", StartAsync);
        group.MapGet("/runs/{id}", GetRun);
        group.MapGet("/runs/{id}/events", EventsAsync);
        group.MapPost("/runs/{id}/cancel", Cancel);
        group.MapPost("/runs/{id}/resume", ResumeAsync);
        group.Map(TemplateRoute.Pattern, GetAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        group.Map(TemplateRoute.Pattern, Delete).WithMetadata(new HttpMethodMetadata([HttpMethods.Delete]), RequiredRole.Admin);
    }

    private static async Task<IResult> ListAsync(AgentTemplates templates, CancellationToken cancellationToken) =>
        Results.Json(new { @object = "list", data = await templates.ListAsync(cancellationToken) }, AgentTemplates.JsonOptions);

    private static async Task<IResult> GetAsync(string name, AgentTemplates templates, CancellationToken cancellationToken) =>
        Results.Json(await templates.GetAsync(name, cancellationToken), AgentTemplates.JsonOptions);

    private static async Task<IResult> SaveAsync(HttpRequest request, AgentTemplates templates, Toolbox toolbox, bool? replace, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        AgentTemplate template = AgentTemplates.Parse(await reader.ReadToEndAsync(cancellationToken), "request body");
        if (toolbox.FindUnknown(template.Tools) is { } unknown)
        {
            throw new AgentTemplateException($"Agent template '{template.Name}': tools names '{unknown}', which is no MCP server, plugin or custom tool here (GET /v1/tools lists them).");
        }

        // Like custom tools: replacing a template (or overriding a built-in) must be asked for.
        if (replace != true && (await templates.ListAsync(invalid: _ => { }, cancellationToken)).Any(t => t.Name == template.Name))
        {
            throw new ApiException(StatusCodes.Status409Conflict, $"An agent template named '{template.Name}' exists; POST /v1/agents?replace=true to replace it (a built-in is then overridden until you delete yours).", "name", "agent_exists");
        }

        await templates.SaveAsync(template, cancellationToken);
        return Results.Json(template, AgentTemplates.JsonOptions, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Delete(string name, AgentTemplates templates)
    {
        templates.Delete(name);
        return Results.Json(new { id = name, @object = "agent", deleted = true }, ServerJson.Options);
    }

    private static IResult ListRuns(HttpContext http, AgentRuns runs)
    {
        int limit = (int)(QueryNumber.Read(http.Request.Query, "limit", 1, 1000) ?? 50);
        return Results.Json(new { @object = "list", data = runs.List(limit, AgentRunAccess.ListedUser(http)).Select(r => AgentShapes.Run(r)) }, ServerJson.Options);
    }

    private static IResult GetRun(string id, HttpContext http, AgentRuns runs) =>
        Results.Json(AgentShapes.Run(AgentRunAccess.Get(http, runs, id), runs.GetSteps(id)), ServerJson.Options);

    private static async Task<IResult> Cancel(string id, HttpContext http, AgentRuns runs)
    {
        AgentRunAccess.Get(http, runs, id);
        if (!runs.Cancel(id))
        {
            return Results.Json(AgentShapes.Run(runs.Get(id)), ServerJson.Options);
        }

        // The model stops within the step it is in, usually well under a second: answer with the outcome when it is there.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        wait.CancelAfter(CancelWait);
        AgentRunInfo run;
        try
        {
            run = await runs.WaitAsync(id, wait.Token);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            run = runs.Get(id);
        }

        return Results.Json(AgentShapes.Run(run, status: run.Status == AgentRunStatus.Running ? "cancelling" : null), ServerJson.Options);
    }

    private static async Task<IResult> StartAsync(HttpContext http, AgentRuns runs, ModelAccess models)
    {
        AgentRunBody body = await JsonBody.ReadAsync<AgentRunBody>(http.Request, http.RequestAborted);
        if (body.Agent is not null && body.Agents is not null)
        {
            throw ApiException.BadRequest("Pass either \"agent\" (one agent) or \"agents\" (a team, with \"mode\"), not both.", "agents");
        }

        var request = new AgentRunRequest
        {
            Task = body.Task ?? "",
            Agents = body.Agents ?? (body.Agent is null ? [] : [body.Agent]),
            Mode = ParseMode(body.Mode),
            Lead = body.Lead,
            Rounds = body.Rounds ?? 2,
            MaxOutputTokens = body.MaxTokens,
            Model = body.Model,
            User = AgentRunAccess.Owner(http),
        };
        if (request.Validate(BodyField) is [var first, ..] problems)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, string.Join(" ", problems.Select(p => p.Value)), first.Key, "invalid_run");
        }

        AgentRunInfo run;
        try
        {
            run = await LaunchAsync(http, models, body.Model, (client, lease) => runs.StartAsync(request, client, lease, http.RequestAborted));
        }
        catch (AgentTemplateNotFoundException unknown) when (unknown.Name == body.Lead && !request.Agents.Contains(body.Lead))
        {
            throw new ApiException(StatusCodes.Status404NotFound, unknown.Message, "lead", "agent_not_found");
        }

        return body.Stream ? await StreamAsync(run.Id, 0, http, runs) : Results.Json(AgentShapes.Run(run), ServerJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ResumeAsync(string id, HttpContext http, AgentRuns runs, ModelAccess models)
    {
        AgentRunBody body = http.Request.ContentLength is 0 or null && !http.Request.Headers.ContentType.Any() ? new AgentRunBody() : await JsonBody.ReadAsync<AgentRunBody>(http.Request, http.RequestAborted);
        AgentRunInfo stored = AgentRunAccess.Get(http, runs, id);
        // Taken before the run goes on, so a stream sees every step the resumed run adds, even one it adds at once.
        long after = runs.GetSteps(id).LastOrDefault()?.Sequence ?? 0;
        AgentRunInfo run;
        try
        {
            run = await LaunchAsync(http, models, body.Model ?? stored.Request.Model, (client, lease) => runs.ResumeAsync(id, client, lease, http.RequestAborted));
        }
        catch (ModelNotFoundException) when (body.Model is null && stored.Request.Model is { } path && ModelReference.TryParse(path, out ModelReference? reference) && reference.Kind == ModelReferenceKind.LocalFile)
        {
            // Runs started by the CLI store the model file they ran on; the server serves models by name.
            throw ApiException.ModelNotFound($"This run's model '{path}' is a file path; pass \"model\" with a name this server serves (GET /v1/models) in the body, e.g. {{\"model\":\"<name>\"}}.");
        }

        return body.Stream ? await StreamAsync(run.Id, after, http, runs) : Results.Json(AgentShapes.Run(run), ServerJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static Task<IResult> EventsAsync(string id, HttpContext http, AgentRuns runs)
    {
        long after = QueryNumber.Read(http.Request.Query, "after", 0, long.MaxValue) ?? 0;
        AgentRunAccess.Get(http, runs, id);
        return StreamAsync(id, after, http, runs);
    }

    /// <summary>
    /// Streams the run itself (so the client has its id to cancel it), its steps after <paramref name="after"/> as server-sent
    /// events, then the run as it ended, then <c>[DONE]</c>. A client that disconnects stops watching; the run goes on.
    /// </summary>
    private static async Task<IResult> StreamAsync(string id, long after, HttpContext http, AgentRuns runs)
    {
        http.Response.Headers[RunIdHeader] = id;
        var writer = ChunkedJsonWriter.ServerSentEvents(http.Response);
        await writer.WriteAsync(AgentShapes.Run(runs.Get(id)), http.RequestAborted);
        await foreach (AgentStep step in runs.WatchAsync(id, after, http.RequestAborted))
        {
            await writer.WriteAsync(AgentShapes.Step(step), http.RequestAborted);
        }

        await writer.WriteAsync(AgentShapes.Run(runs.Get(id)), http.RequestAborted);
        await writer.WriteDoneAsync(http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>The body field that sets a request property, for validation messages and <c>param</c>.</summary>
    private static string BodyField(string property) => property switch
    {
        nameof(AgentRunRequest.MaxOutputTokens) => "max_tokens",
        _ => property.ToLowerInvariant(),
    };

    private static AgentRunMode ParseMode(string? mode) =>
        mode is null ? AgentRunMode.Single
        : Enum.TryParse(mode, ignoreCase: true, out AgentRunMode parsed) && !int.TryParse(mode, out _) ? parsed
        : throw ApiException.BadRequest($"Unknown mode '{mode}'; use single, sequential, parallel, debate, voting or hierarchy.", "mode");

    /// <summary>
    /// Admits the caller's run on the model (403/429 before anything is loaded), loads the model and starts the run with its
    /// model calls inside the run's quota lease.
    /// </summary>
    private static async Task<AgentRunInfo> LaunchAsync(HttpContext http, ModelAccess models, string? model, Func<IChatClient, IAsyncDisposable, Task<AgentRunInfo>> start)
    {
        LocalModel resolved = await models.ResolveAsync(model, http.RequestAborted);
        QuotaLease? quota = await AgentRunAccess.AdmitAsync(http, resolved.Name);
        var lease = new SessionLease(quota);
        try
        {
            lease.Session = await models.OpenAsync(model, keepAlive: null, http.RequestAborted);
            using IDisposable? enclosing = quota?.Enter();
            return await start(lease.Session.ChatClient, lease);
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>Holds the model loaded and the run's quota admission for as long as the run works.</summary>
    private sealed class SessionLease(QuotaLease? quota) : IAsyncDisposable
    {
        public ModelSession? Session { get; set; }

        public async ValueTask DisposeAsync()
        {
            Session?.Dispose();
            if (quota is not null)
            {
                await quota.DisposeAsync();
            }
        }
    }
}
