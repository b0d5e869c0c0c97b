using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace LockboxPortal.Api;

/// <summary>
/// Every API error is an RFC 9457 problem with a stable <c>type</c>: <c>https://lockboxportal.dev/problems/{code}</c>,
/// where the code is the rule's own (<see cref="LockboxRuleException.Code"/>) or the HTTP failure's. Rule refusals
/// are mapped here, in one place, so endpoints just call the services.
/// </summary>
public static class ApiProblems
{
    public const string TypeBase = "https://lockboxportal.dev/problems/";

    public static string TypeFor(string code) => TypeBase + code;

    public static bool IsApiPath(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/.well-known");

    public static int StatusFor(LockboxRuleException ex) => ex.Code switch
    {
        "validation" => StatusCodes.Status400BadRequest,
        "not-found" => StatusCodes.Status404NotFound,
        "forbidden" or "self-approval" or "not-requester" or "second-factor-required" => StatusCodes.Status403Forbidden,
        FreshFactorException.Missing or FreshFactorException.Wrong or FreshFactorException.Stale or FreshFactorException.Reused => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status409Conflict,
    };

    /// <summary>The code for a failure that no rule named, by HTTP status.</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "malformed-request",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status413PayloadTooLarge => "too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        StatusCodes.Status429TooManyRequests => "rate-limited",
        _ => status >= 500 ? "internal" : "error",
    };

    /// <summary>Framework problems (binding failures, the exception handler) on API paths get the stable types too.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        if (!IsApiPath(context.HttpContext.Request.Path))
        {
            return;
        }

        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        if (context.ProblemDetails.Type is null || !context.ProblemDetails.Type.StartsWith(TypeBase, StringComparison.Ordinal))
        {
            context.ProblemDetails.Type = TypeFor(CodeFor(status));
        }
    }

    /// <summary>
    /// Wraps the API: rule refusals and unreadable requests become problems (never a 500), and an empty error response
    /// (a challenge, a refused policy, an unknown route) gets a problem body, so the portal's status pages never answer
    /// an API call with HTML.
    /// </summary>
    public static IApplicationBuilder UseLockboxApiProblems(this IApplicationBuilder app) =>
        app.UseWhen(context => IsApiPath(context.Request.Path), api => api.Use(async (context, next) =>
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            if (HasBody(context.Request) && !IsUtf8Json(context.Request.ContentType))
            {
                await WriteAsync(context, problems, StatusCodes.Status415UnsupportedMediaType, CodeFor(StatusCodes.Status415UnsupportedMediaType),
                    "Send the body as JSON in UTF-8: Content-Type: application/json.");
                return;
            }

            try
            {
                await next(context);
            }
            catch (LockboxRuleException ex) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, problems, ex);
                return;
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, problems, ex.StatusCode, CodeFor(ex.StatusCode), "The request could not be read: " + ex.Message
                    + (ex.InnerException is System.Text.Json.JsonException json ? " " + json.Message : ""));
                return;
            }
            catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
            {
                // Never the error page from /api: in Production it is HTML, in Development it echoes the request (and its token).
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiProblems)).LogError(ex, "An API call failed.");
                context.Response.Clear();
                await WriteAsync(context, problems, StatusCodes.Status500InternalServerError, CodeFor(StatusCodes.Status500InternalServerError),
                    "The portal could not complete this call. Nothing was changed; try again, or tell the provider's administrator the time of the call.");
                return;
            }

            if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null } && string.IsNullOrEmpty(context.Response.ContentType))
            {
                var status = context.Response.StatusCode;
                await WriteAsync(context, problems, status, CodeFor(status), status switch
                {
                    StatusCodes.Status401Unauthorized => "Send a valid API token: Authorization: Bearer <token>.",
                    StatusCodes.Status403Forbidden => "This token may not call this endpoint.",
                    StatusCodes.Status404NotFound => "There is nothing here.",
                    _ => null,
                });
            }
        }));

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>
    /// Only JSON in UTF-8 is read (RFC 8259 makes UTF-8 JSON's one encoding): another media type, or a charset the
    /// reader would have to look up and might not know, is refused before anything reads the body.
    /// </summary>
    private static bool IsUtf8Json(string? contentType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType.Value ?? "";
        var isJson = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && type.StartsWith("application/", StringComparison.OrdinalIgnoreCase);
        var charset = media.Charset.Value;
        return isJson && (string.IsNullOrEmpty(charset)
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    private static Task WriteAsync(HttpContext context, IProblemDetailsService problems, LockboxRuleException ex)
    {
        var status = StatusFor(ex);
        var details = ex is InvalidInputException validation
            ? new HttpValidationProblemDetails(validation.Errors.ToDictionary(e => e.Key, e => e.Value)) { Detail = ex.Message }
            : new ProblemDetails { Detail = ex.Message };
        details.Status = status;
        details.Type = TypeFor(ex.Code);
        details.Title = ex.Code switch
        {
            "validation" => "The request is not valid.",
            "not-found" => "Not found.",
            "forbidden" => "Not allowed.",
            _ => "Refused by a lockbox rule.",
        };
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details }).AsTask();
    }

    private static Task WriteAsync(HttpContext context, IProblemDetailsService problems, int status, string code, string? detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Type = TypeFor(code), Detail = detail, Title = ReasonPhrase(status) },
        }).AsTask();
    }

    private static string? ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : null;
}
