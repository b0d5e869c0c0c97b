using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>
/// What a request is for: a workload and a resource path, written <c>Workload:resource/path</c>,
/// e.g. <c>Exchange:mailbox/ana@contoso.com</c>. A scope covers itself and what lies beneath it
/// at a <c>/</c> boundary, never a sibling that merely shares a prefix.
/// </summary>
public sealed partial record ResourceScope
{
    public const int MaxLength = 400;

    private ResourceScope(string workload, string resource)
    {
        Workload = workload;
        Resource = resource;
    }

    public string Workload { get; }

    public string Resource { get; }

    public override string ToString() => $"{Workload}:{Resource}";

    public static ResourceScope Parse(string text) =>
        TryParse(text, out var scope, out var error) ? scope : throw new FormatException(error);

    /// <summary>
    /// Parses strictly: empty, <c>.</c> and <c>..</c> segments are refused, because a prefix match over
    /// <c>mailbox/ana/../bob</c> would otherwise reach a resource nobody approved.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ResourceScope? scope, [NotNullWhen(false)] out string? error)
    {
        scope = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Scope is required, as Workload:resource (for example Exchange:mailbox/ana@contoso.com).";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"Scope must be at most {MaxLength} characters.";
            return false;
        }

        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = "Scope must be written Workload:resource (for example Exchange:mailbox/ana@contoso.com).";
            return false;
        }

        var workload = text[..colon];
        var resource = text[(colon + 1)..];
        if (!WorkloadPattern().IsMatch(workload))
        {
            error = "The workload must be letters, digits, '.', '-' or '_' (for example Exchange).";
            return false;
        }

        if (resource.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = "The resource must not contain spaces or control characters.";
            return false;
        }

        if (resource.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            error = "The resource must not contain empty, '.' or '..' path segments.";
            return false;
        }

        scope = new ResourceScope(workload, resource);
        error = null;
        return true;
    }

    /// <summary>True when access granted to this scope extends to <paramref name="wanted"/>.</summary>
    public bool Covers(ResourceScope wanted) =>
        string.Equals(Workload, wanted.Workload, StringComparison.Ordinal)
        && (string.Equals(Resource, wanted.Resource, StringComparison.Ordinal)
            || wanted.Resource.StartsWith(Resource + "/", StringComparison.Ordinal));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex WorkloadPattern();
}
