package io.botvisor.supervisor.config;

/** When an exited child is started again. */
public enum RestartPolicy {
    /** Every exit that the operator did not ask for. */
    ALWAYS,
    /** Only an exit with a non-zero code or by a signal; a clean exit 0 leaves the bot STOPPED. */
    ON_FAILURE,
    /** Never: any exit the operator did not ask for leaves the bot FAILED. */
    NEVER;

    public String yamlName() {
        return name().toLowerCase().replace('_', '-');
    }
}
