using OffGrid.Agents;

namespace Microsoft.Extensions.AI;

/// <summary>Adds Microsoft.Extensions.AI's function invocation to a chat pipeline, set up for OffGrid's tools.</summary>
public static class ToolInvocationChatClientBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="FunctionInvokingChatClient"/> (Microsoft.Extensions.AI's <c>UseFunctionInvocation</c>): the model's calls of
    /// the functions in <see cref="ChatOptions.Tools"/> are run and their results fed back until it answers. A refused or failed
    /// OffGrid tool call (<see cref="ToolInvocationException"/>) becomes the call's result, <c>Error: …</c> with the reason, so the
    /// model can correct itself; other exceptions get Microsoft.Extensions.AI's generic error text. Calls of
    /// <see cref="ApprovalRequiredAIFunction"/>s come back as <see cref="ToolApprovalRequestContent"/> for a person to answer.
    /// Declarations without code (<see cref="AIFunctionDeclaration"/>) pass through to the caller.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Adjusts the function invocation (iterations, concurrency, …).</param>
    /// <returns>The same builder.</returns>
    public static ChatClientBuilder UseToolInvocation(this ChatClientBuilder builder, Action<FunctionInvokingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseFunctionInvocation(configure: client =>
        {
            client.FunctionInvoker = InvokeAsync;
            configure?.Invoke(client);
        });
    }

    private static async ValueTask<object?> InvokeAsync(FunctionInvocationContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await context.Function.InvokeAsync(context.Arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolInvocationException ex)
        {
            return "Error: " + ex.Message;
        }
    }
}
