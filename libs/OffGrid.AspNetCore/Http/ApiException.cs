namespace OffGrid.AspNetCore.Http;

/// <summary>A request the server refuses, with the HTTP status and the details each API's error shape reports.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int statusCode, string message, string? param = null, string? code = null)
        : base(message)
    {
        StatusCode = statusCode;
        Param = param;
        Code = code;
    }

    /// <summary>The HTTP status of the response.</summary>
    public int StatusCode { get; }

    /// <summary>The request field at fault (OpenAI's <c>param</c>), when one is.</summary>
    public string? Param { get; }

    /// <summary>A machine-readable reason (OpenAI's <c>code</c>), when one applies.</summary>
    public string? Code { get; }

    public static ApiException BadRequest(string message, string? param = null) => new(StatusCodes.Status400BadRequest, message, param);

    public static ApiException ModelNotFound(string message) => new(StatusCodes.Status404NotFound, message, "model", "model_not_found");
}
