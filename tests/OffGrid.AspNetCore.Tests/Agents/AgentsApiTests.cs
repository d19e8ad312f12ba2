using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Agents.Runs;
using OffGrid.AspNetCore.Models;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.AspNetCore.Tests.Agents;

/// <summary>The agents API on real Kestrel with a real engine (Qwen's template, random weights): templates, streamed runs, errors.</summary>
public sealed class AgentsApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async ValueTask InitializeAsync() =>
        _server = await TestServer.StartAsync(
            server => server.AddTools(o => o.Shell.AllowedExecutables.Add("sleep")),
            app => app.MapOffGridAgents(),
            options =>
            {
                options.Models["qwen"] = TemplateModels.Qwen;
                options.Pool.Engine.ContextSize = 2048;
            });

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task TemplatesAreListedCreatedReadAndDeletedWithErrorsInOpenAisShape()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        JsonElement list = await http.GetFromJsonAsync<JsonElement>("/v1/agents", cancel);
        Assert.Equal(["analyst", "coder", "creative", "researcher"], list.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        using HttpResponseMessage created = await http.PostAsync("/v1/agents", Json("""{"name":"triage","instructions":"Sort tickets.","budget":{"maxSteps":3}}"""), cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(File.Exists(Path.Combine(_server.Home, "agents", "triage.json")));
        JsonElement triage = await http.GetFromJsonAsync<JsonElement>("/v1/agents/triage", cancel);
        Assert.Equal(3, triage.GetProperty("budget").GetProperty("maxSteps").GetInt32());

        using HttpResponseMessage invalid = await http.PostAsync("/v1/agents", Json("""{"name":"x","instructions":"y","temperature":9}"""), cancel);
        JsonElement error = await Error(invalid, HttpStatusCode.BadRequest, "invalid_agent");
        Assert.Contains("temperature must be between 0 and 2", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        await Error(await http.PostAsync("/v1/agents", Json("""{"name":"creative","instructions":"Rhyme."}"""), cancel), HttpStatusCode.Conflict, "agent_exists", "name");
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/v1/agents/triage", cancel)).StatusCode);
        JsonElement gone = await Error(await http.DeleteAsync("/v1/agents/triage", cancel), HttpStatusCode.NotFound, "agent_not_found");
        Assert.EndsWith("Known: analyst, coder, creative, researcher.", gone.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Error(await http.GetAsync("/v1/agents/triage", cancel), HttpStatusCode.NotFound, "agent_not_found");
        await Error(await http.DeleteAsync("/v1/agents/coder", cancel), HttpStatusCode.BadRequest, "invalid_agent");
        await Error(await http.GetAsync("/v1/agents/runs/run_nope", cancel), HttpStatusCode.NotFound, "run_not_found");
        await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agents":["coder"],"mode":"sideways"}"""), cancel), HttpStatusCode.BadRequest, "invalid_request_error", "mode");
        await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agents":["ghost"]}"""), cancel), HttpStatusCode.NotFound, "agent_not_found");
        await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"","agent":"coder"}"""), cancel), HttpStatusCode.BadRequest, "invalid_run");
        await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"nope","task":"x","agent":"coder"}"""), cancel), HttpStatusCode.NotFound, "model_not_found");
        await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agent":"coder","agents":["coder","analyst"]}"""), cancel), HttpStatusCode.BadRequest, "invalid_request_error", "agents");
        JsonElement unknown = await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agent":"coder","maxTokens":3}"""), cancel), HttpStatusCode.BadRequest, "invalid_request_error", "maxTokens");
        Assert.Equal("The request body has an unknown field 'maxTokens'.", unknown.GetProperty("message").GetString());
        JsonElement tokens = await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agent":"coder","max_tokens":-1}"""), cancel), HttpStatusCode.BadRequest, "invalid_run", "max_tokens");
        Assert.Equal("max_tokens must be at least 1.", tokens.GetProperty("message").GetString());
        JsonElement team = await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agents":["coder","analyst"]}"""), cancel), HttpStatusCode.BadRequest, "invalid_run", "agents");
        Assert.Contains("pass mode too", team.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Error(await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"x","agents":["coder","analyst"],"mode":"parallel","lead":"nosuch"}"""), cancel), HttpStatusCode.NotFound, "agent_not_found", "lead");
    }

    [Fact]
    public async Task TheRunsRouteIsNoTemplateAndBadQueryValuesAre400sNamingTheParameter()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        (await http.PostAsync("/v1/agents", Json("""{"name":"triage","instructions":"Sort tickets."}"""), cancel)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.DeleteAsync("/v1/agents/runs", cancel)).StatusCode);
        JsonElement missing = await Error(await http.DeleteAsync("/v1/agents/ghost", cancel), HttpStatusCode.NotFound, "agent_not_found");
        Assert.EndsWith("Known: analyst, coder, creative, researcher, triage.", missing.GetProperty("message").GetString(), StringComparison.Ordinal);
        foreach (string limit in new[] { "abc", "1.5", "99999999999", "0", "-1", "1001" })
        {
            JsonElement error = await Error(await http.GetAsync($"/v1/agents/runs?limit={limit}", cancel), HttpStatusCode.BadRequest, "invalid_request_error", "limit");
            Assert.Equal($"'limit' must be a whole number from 1 to 1000 (was '{limit}').", error.GetProperty("message").GetString());
        }

        foreach (string after in new[] { "abc", "1.5" })
        {
            await Error(await http.GetAsync($"/v1/agents/runs/run_nope/events?after={after}", cancel), HttpStatusCode.BadRequest, "invalid_request_error", "after");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/agents/runs?limit=1000", cancel)).StatusCode);
    }

    [Fact]
    public async Task TemplatesAndRunsAreHeldToTheirLimitsAndATemplateNamesOnlyKnownTools()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        Directory.CreateDirectory(Path.Combine(_server.Home, "tools"));
        await File.WriteAllTextAsync(Path.Combine(_server.Home, "tools", "nap.json"), """{"name":"nap","description":"Waits.","parameters":{"type":"object","properties":{}},"shell":{"command":["sleep","1"]}}""", cancel);

        JsonElement unknown = await Error(await http.PostAsync("/v1/agents", Json("""{"name":"napper","instructions":"x","tools":["nap","nosuchtool"]}"""), cancel), HttpStatusCode.BadRequest, "invalid_agent");
        Assert.Contains("tools names 'nosuchtool'", unknown.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/v1/agents", Json("""{"name":"napper","instructions":"x","tools":["nap"]}"""), cancel)).StatusCode);
        JsonElement huge = await Error(await http.PostAsync("/v1/agents", Json($$"""{"name":"huge","instructions":"{{new string('x', 65537)}}"}"""), cancel), HttpStatusCode.BadRequest, "invalid_agent");
        Assert.Contains("instructions must be at most 65536 characters; they are 65537.", huge.GetProperty("message").GetString(), StringComparison.Ordinal);
        string team = string.Join(",", Enumerable.Repeat("\"coder\"", 17));
        JsonElement crowd = await Error(await http.PostAsync("/v1/agents/runs", Json($$"""{"model":"qwen","task":"x","agents":[{{team}}],"mode":"parallel"}"""), cancel), HttpStatusCode.BadRequest, "invalid_run");
        Assert.Contains("agents must name at most 16 agents; it names 17.", crowd.GetProperty("message").GetString(), StringComparison.Ordinal);
        JsonElement essay = await Error(await http.PostAsync("/v1/agents/runs", Json($$"""{"model":"qwen","task":"{{new string('x', 262145)}}","agent":"coder"}"""), cancel), HttpStatusCode.BadRequest, "invalid_run");
        Assert.Contains("task must be at most 262144 characters", essay.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamedDebateSendsEachStepThenTheRunAndItsTranscriptStaysReadable()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        foreach (string name in new[] { "pro", "con" })
        {
            (await http.PostAsync("/v1/agents", Json($$"""{"name":"{{name}}","instructions":"Argue.","toolMode":"none","maxOutputTokens":6}"""), cancel)).EnsureSuccessStatusCode();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/agents/runs") { Content = Json("""{"model":"qwen","task":"Tea or coffee?","agents":["pro","con"],"mode":"debate","rounds":1,"stream":true}""") };
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        List<JsonElement> events = [];
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel)))
        {
            while (await reader.ReadLineAsync(cancel) is { } line && line != "data: [DONE]")
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
                }
            }
        }

        // The run comes first (its id, to cancel it; also in a header), then its steps, then the run as it ended.
        Assert.Equal(("agent.run", "running"), (events[0].GetProperty("object").GetString(), events[0].GetProperty("status").GetString()));
        Assert.Equal(events[0].GetProperty("id").GetString(), Assert.Single(response.Headers.GetValues("OffGrid-Run-Id")));
        JsonElement run = events[^1];
        Assert.Equal(("agent.run", "completed"), (run.GetProperty("object").GetString(), run.GetProperty("status").GetString()));
        Assert.Equal(events[0].GetProperty("id").GetString(), run.GetProperty("id").GetString());
        List<JsonElement> steps = events[1..^1];
        Assert.All(steps, s => Assert.Equal("agent.run.step", s.GetProperty("object").GetString()));
        Assert.Equal(["pro", "con", "pro"], steps.Where(s => s.GetProperty("type").GetString() == "message").Select(s => s.GetProperty("agent").GetString()));
        JsonElement final = steps[^1];
        Assert.Equal(("final", "pro"), (final.GetProperty("type").GetString(), final.GetProperty("agent").GetString()));
        Assert.True(final.GetProperty("usage").GetProperty("output_tokens").GetInt64() > 0);

        string id = run.GetProperty("id").GetString()!;
        JsonElement stored = await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", cancel);
        Assert.Equal(steps.Count, stored.GetProperty("steps").GetArrayLength());
        Assert.Equal(run.GetProperty("answer").GetString(), stored.GetProperty("answer").GetString());
        JsonElement runs = await http.GetFromJsonAsync<JsonElement>("/v1/agents/runs", cancel);
        Assert.Contains(runs.GetProperty("data").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        await Error(await http.PostAsync($"/v1/agents/runs/{id}/resume", Json("{}"), cancel), HttpStatusCode.BadRequest, "invalid_run");
    }

    [Fact]
    public async Task ACancelledRunStopsAndCanBeResumed()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        // A forced call of a tool that sleeps a minute: the run is still working when the cancel comes, whatever the model writes.
        Directory.CreateDirectory(Path.Combine(_server.Home, "tools"));
        await File.WriteAllTextAsync(Path.Combine(_server.Home, "tools", "nap.json"), """{"name":"nap","description":"Waits.","parameters":{"type":"object","properties":{"seconds":{"type":"string","enum":["60"]}},"required":["seconds"]},"shell":{"command":["sleep","{seconds}"]}}""", cancel);
        (await http.PostAsync("/v1/agents", Json("""{"name":"rambler","instructions":"Talk.","toolMode":"required","tools":["nap"],"maxOutputTokens":48}"""), cancel)).EnsureSuccessStatusCode();
        using HttpResponseMessage started = await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"Talk.","agent":"rambler"}"""), cancel);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        string id = (await started.Content.ReadFromJsonAsync<JsonElement>(cancel)).GetProperty("id").GetString()!;

        await Error(await http.PostAsync($"/v1/agents/runs/{id}/resume", Json("{}"), cancel), HttpStatusCode.Conflict, "run_in_progress", "id");
        using HttpResponseMessage cancelled = await http.PostAsync($"/v1/agents/runs/{id}/cancel", null, cancel);
        cancelled.EnsureSuccessStatusCode();
        Assert.Contains((await cancelled.Content.ReadFromJsonAsync<JsonElement>(cancel)).GetProperty("status").GetString(), new[] { "cancelling", "cancelled" });
        string status;
        do
        {
            status = (await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", cancel)).GetProperty("status").GetString()!;
        }
        while (status == "running" && await Delay(cancel));
        Assert.Equal("cancelled", status);

        await Error(await http.PostAsync("/v1/agents", Json("""{"name":"rambler","instructions":"Talk.","toolMode":"none","maxOutputTokens":4}"""), cancel), HttpStatusCode.Conflict, "agent_exists", "name");
        (await http.PostAsync("/v1/agents?replace=true", Json("""{"name":"rambler","instructions":"Talk.","toolMode":"none","maxOutputTokens":4}"""), cancel)).EnsureSuccessStatusCode();
        using HttpResponseMessage resumed = await http.PostAsync($"/v1/agents/runs/{id}/resume", Json("""{"stream":true}"""), cancel);
        string body = await resumed.Content.ReadAsStringAsync(cancel);
        Assert.Contains("\"type\":\"final\"", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.Equal("completed", (await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", cancel)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARunWhoseModelIsAFilePathResumesOnTheModelTheBodyNames()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        (await http.PostAsync("/v1/agents", Json("""{"name":"brief","instructions":"Answer.","toolMode":"none","maxOutputTokens":2}"""), cancel)).EnsureSuccessStatusCode();
        // As `offgrid agent run -m <file>` stores it: the run's model is the file the CLI loaded.
        AgentRuns runs = _server.App.Services.GetRequiredService<AgentRuns>();
        using (ModelSession session = await _server.App.Services.GetRequiredService<ModelAccess>().OpenAsync("qwen", keepAlive: null, cancel))
        {
            AgentRunInfo run = await runs.StartAsync(new AgentRunRequest { Task = "Hi.", Agents = ["brief"], Model = "../models/brief.gguf" }, session.ChatClient, cancellationToken: cancel);
            Assert.Equal(AgentRunStatus.Completed, (await runs.WaitAsync(run.Id, cancel)).Status);

            JsonElement error = await Error(await http.PostAsync($"/v1/agents/runs/{run.Id}/resume", Json("{}"), cancel), HttpStatusCode.NotFound, "model_not_found", "model");
            Assert.StartsWith("This run's model '../models/brief.gguf' is a file path; pass \"model\"", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            // With a served name, the run's own state decides: a completed run does not resume.
            await Error(await http.PostAsync($"/v1/agents/runs/{run.Id}/resume", Json("""{"model":"qwen"}"""), cancel), HttpStatusCode.BadRequest, "invalid_run");
        }
    }

    [Fact]
    public async Task APromptOverTheContextWindowFailsTheRunNamingTheServersSetting()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        string instructions = string.Concat(Enumerable.Repeat("Answer with care. ", 700));
        (await http.PostAsync("/v1/agents", Json($$"""{"name":"wordy","instructions":"{{instructions}}","toolMode":"none","maxOutputTokens":2}"""), cancel)).EnsureSuccessStatusCode();
        using HttpResponseMessage started = await http.PostAsync("/v1/agents/runs", Json("""{"model":"qwen","task":"Hi.","agent":"wordy"}"""), cancel);
        string id = (await started.Content.ReadFromJsonAsync<JsonElement>(cancel)).GetProperty("id").GetString()!;

        JsonElement run;
        do
        {
            run = await http.GetFromJsonAsync<JsonElement>($"/v1/agents/runs/{id}", cancel);
        }
        while (run.GetProperty("status").GetString() == "running" && await Delay(cancel));

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("Server:Pool:Engine:ContextSize", run.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task<bool> Delay(CancellationToken cancel)
    {
        await Task.Delay(50, cancel);
        return true;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Error(HttpResponseMessage response, HttpStatusCode status, string code, string? param = null)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            JsonElement error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.True(error.GetProperty("code").ValueKind == JsonValueKind.Null ? error.GetProperty("type").GetString() == code : error.GetProperty("code").GetString() == code, error.ToString());
            if (param is not null)
            {
                Assert.Equal(param, error.GetProperty("param").GetString());
            }

            return error;
        }
    }
}
