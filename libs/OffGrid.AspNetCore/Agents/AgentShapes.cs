using System.Text.Json;
using OffGrid.Agents.Runs;

namespace OffGrid.AspNetCore.Agents;

/// <summary>The wire shapes of runs and steps: snake_case fields, snake_case enum values, times as Unix seconds.</summary>
internal static class AgentShapes
{
    public static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <param name="run">The run as stored.</param>
    /// <param name="steps">Its transcript, when asked for.</param>
    /// <param name="status">A status to show over the stored one (<c>cancelling</c>).</param>
    public static object Run(AgentRunInfo run, IReadOnlyList<AgentStep>? steps = null, string? status = null) => new
    {
        id = run.Id,
        @object = "agent.run",
        status = status ?? Name(run.Status),
        mode = Name(run.Request.Mode),
        agents = run.Request.Agents,
        lead = run.Request.LeadAgent,
        task = run.Request.Task,
        model = run.Request.Model,
        answer = run.Answer,
        error = run.Error,
        usage = new { input_tokens = run.InputTokens, output_tokens = run.OutputTokens },
        created_at = run.Created.ToUnixTimeSeconds(),
        updated_at = run.Updated.ToUnixTimeSeconds(),
        steps = steps?.Select(Step),
    };

    public static object Step(AgentStep step) => new
    {
        @object = "agent.run.step",
        sequence = step.Sequence,
        type = Name(step.Kind),
        agent = step.Agent,
        turn = step.Turn,
        text = step.Text,
        tool = step.Tool,
        call_id = step.CallId,
        arguments = step.Arguments,
        usage = step.InputTokens is null && step.OutputTokens is null ? null : new { input_tokens = step.InputTokens ?? 0, output_tokens = step.OutputTokens ?? 0 },
        created_at = step.At.ToUnixTimeSeconds(),
    };
}
