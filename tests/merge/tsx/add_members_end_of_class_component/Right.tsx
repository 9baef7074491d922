import React from "react";

type State = { count: number };

export class Counter extends React.Component<{ step: number }, State> {
  state: State = { count: 0 };

  increment = () => {
    this.setState((s) => ({ count: s.count + this.props.step }));
  };

  render() {
    return <button onClick={this.increment}>{this.state.count}</button>;
  }

  reset = () => {
    this.setState({ count: 0 });
  };
}
