namespace OffGrid.Agents.Runs;

/// <summary>Where a run stands.</summary>
public enum AgentRunStatus
{
    /// <summary>The run is working.</summary>
    Running,

    /// <summary>The run has its final answer.</summary>
    Completed,

    /// <summary>The run stopped with an error (<see cref="AgentRunInfo.Error"/>).</summary>
    Failed,

    /// <summary>Someone cancelled the run; it can be resumed.</summary>
    Cancelled,

    /// <summary>The run hit its budget (steps, wall time or tokens); <see cref="AgentRunInfo.Error"/> says which.</summary>
    BudgetExceeded,

    /// <summary>The process stopped while the run was working; the transcript up to then is kept and the run can be resumed.</summary>
    Interrupted,
}
