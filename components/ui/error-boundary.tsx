"use client";

import { Component, type ReactNode } from "react";
import { Alert } from "./alert";
import { Button } from "./button";

interface ErrorBoundaryProps {
  /** What could not be shown, e.g. "The list could not be shown". */
  title: string;
  children: ReactNode;
  /** Runs before "Try again" renders the children again, e.g. to reload the data that broke them. */
  onReset?: () => void;
  className?: string;
}

/**
 * Contains a render error to one area of the page: the area shows a small alert with "Try again",
 * everything around it keeps working. React logs the error itself (console.error), once per catch.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  private readonly tryAgain = () => {
    this.props.onReset?.();
    this.setState({ error: null });
  };

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Alert
        tone="error"
        title={this.props.title}
        className={this.props.className}
        actions={
          <Button size="sm" variant="secondary" onClick={this.tryAgain}>
            Try again
          </Button>
        }
      >
        <span className="font-mono text-xs break-words">{error.message || String(error)}</span>
      </Alert>
    );
  }
}
