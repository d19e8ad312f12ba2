using OffGrid.AspNetCore.Http;

namespace OffGrid.AspNetCore.OpenAi;

/// <summary>Runs a streamed OpenAI response: the events, an error event if generation fails midway, then <c>data: [DONE]</c>.</summary>
internal static class OpenAiEventStream
{
    public static async Task<IResult> WriteAsync(HttpResponse response, Func<ChunkedJsonWriter, Task> writeEvents, CancellationToken cancellationToken)
    {
        var writer = ChunkedJsonWriter.ServerSentEvents(response);
        try
        {
            await writeEvents(writer);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Headers are gone: the error can only travel as an event in the stream.
            await writer.WriteAsync(OpenAiShapes.Error(ApiError.From(ex)), cancellationToken);
        }

        await writer.WriteDoneAsync(cancellationToken);
        return Results.Empty;
    }
}
